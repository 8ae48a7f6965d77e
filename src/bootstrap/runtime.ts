import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';
import type { ArcaConfig } from '../config/arca-config.js';
import { systemClock, type Clock } from '../domain/ports.js';
import type { PassphrasePrompt, SecretEnvironment } from './root-key-source.js';

/** What a start needs besides its configuration: where its secrets are, and the process's plumbing. */
export interface ServerRuntime {
  /** ARCA_ROOT_KEY, ARCA_PKCS11_PIN, ARCA_ACCESS_KEY_ID and ARCA_ACCESS_KEY_SECRET are read from here. */
  readonly environment: SecretEnvironment;
  /** A pino logger at the configured level by default. */
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Where the listening line goes; stdout by default. */
  readonly announce?: (line: string) => void;
  /**
   * Where the secret of an administrator key created on a first start is shown, once. By default
   * standard error when it is a terminal, and nowhere when it is not: the secret is then only in
   * `<data-dir>/admin-access-key.json` (mode 0600). `null`: nowhere. Never stdout, which carries
   * the JSON log (collected, shipped, kept) and the listening line.
   */
  readonly showSecret?: ((line: string) => void) | null;
  /** Asks for a passphrase-protected root key file's passphrase (a terminal); by default nobody is asked. */
  readonly askPassphrase?: PassphrasePrompt;
}

/** The runtime's plumbing with its defaults filled in. */
export interface Plumbing {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly announce: (line: string) => void;
  /** Undefined: the secret is shown nowhere. */
  readonly showSecret: ((line: string) => void) | undefined;
  readonly askPassphrase: PassphrasePrompt | undefined;
}

export function resolvePlumbing(config: ArcaConfig, runtime: ServerRuntime): Plumbing {
  return {
    logger: runtime.logger ?? pino({ level: config.logLevel }),
    clock: runtime.clock ?? systemClock,
    announce: runtime.announce ?? announceOnStdout,
    showSecret: runtime.showSecret === undefined ? secretDisplayOn(process.stderr) : (runtime.showSecret ?? undefined),
    askPassphrase: runtime.askPassphrase,
  };
}

/**
 * The listening line is a JSON record like the log's (pino's level, time, pid and hostname), so
 * stdout is JSON lines throughout; its message holds the `listening on http://H:P` text that
 * scripts and the server contract look for. It is written whatever the log level: a start that
 * says nothing cannot be waited for.
 */
function announceOnStdout(line: string): void {
  const record = { level: INFO_LEVEL, time: Date.now(), pid: process.pid, hostname: hostname(), event: 'listening', msg: line };
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

/** pino's number for `info`. */
const INFO_LEVEL = 30;

/** A stream as `secretDisplayOn` needs it: standard error, or a test's stand-in. */
export interface OutputStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** Writes lines to `stream` when it is a terminal (someone is there to read them); otherwise undefined. */
export function secretDisplayOn(stream: OutputStream): ((line: string) => void) | undefined {
  if (stream.isTTY !== true) return undefined;
  return (line) => {
    stream.write(`${line}\n`);
  };
}

/** `http://host:port`, an IPv6 host in brackets. */
export function serverUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
