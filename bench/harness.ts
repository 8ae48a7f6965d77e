// The bench's harness: the command-line options, the build, the processes under test (Arca and the
// ceiling server) and the load generator, tracked so that every child is killed at the end, on
// errors and on signals. What is measured is in bench/probes.ts; what is printed, bench/report.ts.
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { FromLoadgen, LoadJob, LoadResult, ToLoadgen } from './protocol.js';
import { ActionSigner, type Credentials } from './signer.js';
import { configuredToken, softHsmToken, type BenchToken } from './softhsm.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'arca.js');
export const CREDENTIALS: Credentials = { accessKeyId: 'LTAIbench000000000000000', accessKeySecret: randomBytes(24).toString('base64url') };

/** The run's options, checked. */
export interface Settings {
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly connections: number;
  readonly only: string | undefined;
  readonly cpuProfDir: string | undefined;
  readonly workers: number;
  readonly keys: number;
  /** The token for the HSM scenarios, or why there are none. */
  readonly hsm: BenchToken | string;
}

/** A running Arca server under test. */
export interface Arca {
  readonly child: ChildProcess;
  readonly port: number;
  readonly host: string;
  readonly pid: number;
  /** Milliseconds from spawn to the listening line. */
  readonly startMs: number;
}

// ---------------------------------------------------------------------------------------------
// Children: tracked, and all killed however the run ends.

const children = new Set<ChildProcess>();
let tempDir: string | undefined;

function track<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

export function killChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
  tempDir = undefined;
}

/** Kills every child (and removes the temporary directory) on exit and on SIGINT, SIGTERM, SIGHUP. */
export function killChildrenWhenDone(): void {
  process.on('exit', killChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      console.error(`\nbench: ${signal}, stopping`);
      killChildren();
      process.exit(130);
    });
  }
}

/** The run's temporary directory, made on first use and removed by `killChildren`. */
function benchTempDir(): string {
  tempDir ??= mkdtempSync(join(tmpdir(), 'arca-bench-'));
  return tempDir;
}

export function newDataDir(): string {
  return mkdtempSync(join(benchTempDir(), 'data-'));
}

/** Waits for `listening on http://H:P` on the child's stdout; rejects if it exits first. */
function waitForListening(child: ChildProcess, label: string, timeoutMs = 30_000): Promise<{ host: string; port: number }> {
  return new Promise((resolvePromise, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${label} did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /listening on http:\/\/([^\s:]+):(\d+)/.exec(output);
      if (match?.[1] !== undefined && match[2] !== undefined) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolvePromise({ host: match[1], port: Number(match[2]) });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Build, start, set up

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function buildIfStale(): void {
  const stale = !existsSync(CLI) || statSync(CLI).mtimeMs < newestMtime(join(ROOT, 'src'));
  if (!stale) return;
  console.log('bench: dist/ is missing or older than src/; running npm run build');
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed');
}

/** One signed request to the server on `port`; the JSON body of its 200 answer. */
export function call(port: number, host: string, action: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const signer = new ActionSigner(CREDENTIALS, host, action, params);
  return new Promise((resolvePromise, reject) => {
    const req = request(
      { hostname: '127.0.0.1', port, method: 'POST', path: signer.path, headers: signer.headers(), setHost: false },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`${action} failed: HTTP ${res.statusCode}: ${text}`));
          else resolvePromise(JSON.parse(text) as Record<string, unknown>);
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export function field(body: Record<string, unknown>, ...path: string[]): string {
  let value: unknown = body;
  for (const name of path) value = (value as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string') throw new Error(`no ${path.join('.')} in ${JSON.stringify(body)}`);
  return value;
}

/** The load generator process (bench/loadgen.ts): one job at a time over IPC. */
export class Loadgen {
  private readonly child: ChildProcess;
  private pending: ((message: FromLoadgen) => void) | undefined;
  readonly ready: Promise<void>;

  constructor() {
    this.child = track(
      fork(join(ROOT, 'bench', 'loadgen.ts'), [], {
        cwd: ROOT,
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    this.ready = new Promise((resolvePromise, reject) => {
      this.pending = (message) => (message.type === 'ready' ? resolvePromise() : reject(new Error('load generator: unexpected message')));
      this.child.once('exit', (code) => reject(new Error(`load generator exited (${code})`)));
    });
    this.child.on('message', (message: FromLoadgen) => {
      const pending = this.pending;
      this.pending = undefined;
      pending?.(message);
    });
  }

  run(job: LoadJob): Promise<LoadResult> {
    return new Promise((resolvePromise, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`load generator exited (${code}) during ${job.name}`));
      this.child.once('exit', onExit);
      this.pending = (message) => {
        this.child.off('exit', onExit);
        if (message.type === 'result') resolvePromise(message.result);
        else reject(new Error(message.type === 'failed' ? message.message : 'load generator: unexpected message'));
      };
      this.child.send({ type: 'run', job } satisfies ToLoadgen);
    });
  }

  stop(): void {
    if (this.child.connected) this.child.send({ type: 'exit' } satisfies ToLoadgen);
  }
}

/** SIGTERM and wait for the exit, so that `--cpu-prof` gets to write its profile. */
export function stopGracefully(child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolvePromise();
      return;
    }
    child.once('exit', () => resolvePromise());
    child.kill('SIGTERM');
  });
}

/**
 * Starts the compiled server on `dataDir` and waits for its listening line. The log level is the
 * server's default (info: an audit line per request, part of what is measured) unless
 * ARCA_LOG_LEVEL is set for the bench.
 */
export async function startArca(dataDir: string, settings: Settings, workers: number): Promise<Arca> {
  const started = performance.now();
  const nodeFlags = settings.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', resolve(settings.cpuProfDir)];
  const hsm = typeof settings.hsm === 'string' ? undefined : settings.hsm;
  const args = [
    ...nodeFlags,
    CLI,
    'server',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--workers',
    String(workers),
    ...(hsm?.args ?? []),
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ARCA_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    ARCA_ACCESS_KEY_SECRET: CREDENTIALS.accessKeySecret,
    ...(hsm?.env ?? {}),
  };
  const child = track(spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const { port } = await waitForListening(child, 'arca');
  const startMs = performance.now() - started;
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[arca] ${chunk.toString('utf8')}`));
  return { child, port, host: `127.0.0.1:${port}`, pid: child.pid ?? 0, startMs };
}

export async function startCeiling(): Promise<{ child: ChildProcess; port: number }> {
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'ceiling-server.ts')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const { port } = await waitForListening(child, 'ceiling server');
  return { child, port };
}

// ---------------------------------------------------------------------------------------------
// Command line

const USAGE =
  'usage: npm run bench -- [--mode api|workers|scale] [--duration <seconds>] [--connections <n>] [--warmup <seconds>] ' +
  '[--workers <n>] [--keys <n>] [--json <file>] [--only <scenario>] [--cpu-prof <dir>] ' +
  '[--hsm auto|on|off] [--pkcs11-module <path> --pkcs11-token-label <label>]';

/** The command line as given: parsed, not yet checked. */
export type CommandLine = ReturnType<typeof parseCommandLine>;

export function parseCommandLine() {
  return parseArgs({
    options: {
      mode: { type: 'string', default: 'api' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
      // Long enough for V8 to finish optimising the request path, even on a busy 2-core machine.
      warmup: { type: 'string', default: '3' },
      workers: { type: 'string', default: '1' },
      keys: { type: 'string', default: '100000' },
      // auto: HSM scenarios on a SoftHSM2 token of the bench's own when SoftHSM2 is installed;
      // on: the same, and fail without it; off: software scenarios only.
      hsm: { type: 'string', default: 'auto' },
      'pkcs11-module': { type: 'string' },
      'pkcs11-token-label': { type: 'string' },
      json: { type: 'string' },
      only: { type: 'string' },
      'cpu-prof': { type: 'string' },
    },
  }).values;
}

/**
 * The settings of the command line for `modes` (the mode's name must be one of them), with the
 * HSM token made ready in the api mode. Throws the usage line when an option is out of range.
 */
export function settingsOf<M extends string>(values: CommandLine, modes: readonly M[]): { settings: Settings; mode: M } {
  const hsm =
    values.mode === 'api'
      ? hsmToken(values.hsm, benchTempDir(), values['pkcs11-module'], values['pkcs11-token-label'])
      : 'only in the api mode';
  const settings: Settings = {
    hsm,
    durationMs: Number(values.duration) * 1000,
    warmupMs: Number(values.warmup) * 1000,
    connections: Number(values.connections),
    only: values.only,
    cpuProfDir: values['cpu-prof'],
    workers: Number(values.workers),
    keys: Number(values.keys),
  };
  const valid =
    settings.durationMs > 0 &&
    settings.warmupMs >= 0 &&
    Number.isInteger(settings.connections) &&
    settings.connections >= 1 &&
    Number.isInteger(settings.workers) &&
    settings.workers >= 1 &&
    Number.isInteger(settings.keys) &&
    settings.keys >= 1;
  const mode = modes.find((name) => name === values.mode);
  if (!valid || mode === undefined) throw new Error(USAGE);
  return { settings, mode };
}

/** The token for the HSM scenarios, or why there are none (an error when `--hsm on` cannot have one). */
function hsmToken(mode: string, dir: string, modulePath: string | undefined, tokenLabel: string | undefined): BenchToken | string {
  if (mode === 'off') return '--hsm off';
  if (modulePath !== undefined || tokenLabel !== undefined) {
    if (modulePath === undefined || tokenLabel === undefined) throw new Error('--pkcs11-module and --pkcs11-token-label go together');
    return configuredToken(modulePath, tokenLabel);
  }
  const token = softHsmToken(dir);
  if (typeof token === 'string' && mode === 'on') throw new Error(`--hsm on: ${token}`);
  return token;
}
