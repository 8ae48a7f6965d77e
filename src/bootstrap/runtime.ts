import { pino, type Logger } from 'pino';
import type { ArcaConfig } from '../config/arca-config.js';
import { systemClock, type Clock } from '../domain/ports.js';
import type { SecretEnvironment } from './root-key-source.js';

/** What a start needs besides its configuration: where its secrets are, and the process's plumbing. */
export interface ServerRuntime {
  /** ARCA_ROOT_KEY, ARCA_PKCS11_PIN, ARCA_ACCESS_KEY_ID and ARCA_ACCESS_KEY_SECRET are read from here. */
  readonly environment: SecretEnvironment;
  /** A pino logger at the configured level by default. */
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Where the one-time messages go (the listening line, a new administrator key); stdout by default. */
  readonly announce?: (line: string) => void;
}

/** The runtime's plumbing with its defaults filled in. */
export interface Plumbing {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly announce: (line: string) => void;
}

export function resolvePlumbing(config: ArcaConfig, runtime: ServerRuntime): Plumbing {
  return {
    logger: runtime.logger ?? pino({ level: config.logLevel }),
    clock: runtime.clock ?? systemClock,
    announce: runtime.announce ?? announceOnStdout,
  };
}

function announceOnStdout(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** `http://host:port`, an IPv6 host in brackets. */
export function serverUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
