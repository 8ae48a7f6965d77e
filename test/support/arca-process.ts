// The compiled server as outside checks start it: `node dist/cli/arca.js server …` as a child
// process on 127.0.0.1 and a free port, with dist/ rebuilt first when it is older than src/ (or console/).
//
// Every child started here is remembered until it exits; a test file's `after` hook calls
// killAllArcas() so that no child outlives the file, whether its tests passed or failed.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Credentials } from './acs3-signer.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli', 'arca.js');
/** The line the server prints once it listens; group 1 is the port. */
export const LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)/;
const START_TIMEOUT_MS = 30_000;

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ArcaOptions {
  readonly dataDir: string;
  /** Set as ARCA_ACCESS_KEY_ID / ARCA_ACCESS_KEY_SECRET in the child's environment. */
  readonly credentials?: Credentials;
  /** More environment for the child (after `credentials`). */
  readonly env?: Record<string, string>;
  /** More `server` arguments, after `--host 127.0.0.1 --port 0 --data-dir <dataDir>`. */
  readonly args?: readonly string[];
}

export interface ArcaProcess {
  readonly child: ChildProcess;
  readonly dataDir: string;
  readonly port: number;
  /** `127.0.0.1:<port>`, the SDKs' endpoint form. */
  readonly endpoint: string;
  /** Every complete stdout line so far (stdout is read for as long as the child runs). */
  readonly lines: string[];
  readonly stderr: () => string;
  /** Settles on 'close', not 'exit': stdout is fully read by then. */
  readonly exited: Promise<Exit>;
  /** Sends `signal` (SIGTERM by default) unless the child has exited, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
  /** SIGKILL unless the child has exited; does not wait. For `after` hooks. */
  kill(): void;
}

const running = new Set<ChildProcess>();

/** Fresh administrator credentials for a child's environment: `LTAI<label><12 hex>` and a 30-hex secret. */
export function randomCredentials(label: string): Credentials {
  return { accessKeyId: `LTAI${label}${randomBytes(6).toString('hex')}`, accessKeySecret: randomBytes(15).toString('hex') };
}

/** Newest modification time of any file under `dir` (0 when it does not exist). */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Runs `npm run build` when dist/ is older than src/ (or missing), so the child runs the current
 * code. Test files run two at a time: a lock directory keeps two builds from writing dist/ at once.
 */
export function ensureBuilt(): void {
  const lock = join(tmpdir(), `arca-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 16)}.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than two minutes belongs to a build that died.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`the build lock ${lock} stayed taken`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    // The web console (console/) is built into dist/console by the same `npm run build`.
    const sources = Math.max(
      newestMtime(join(ROOT, 'src')),
      newestMtime(join(ROOT, 'console')),
      statSync(join(ROOT, 'tsconfig.build.json')).mtimeMs,
    );
    if (!existsSync(CLI) || !existsSync(join(ROOT, 'dist', 'console', 'index.html')) || newestMtime(join(ROOT, 'dist')) < sources) {
      const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}\n${build.stderr}`);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** This process's environment without any ARCA_* setting, plus `extra`. */
export function childEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ARCA_')) env[name] = value;
  return { ...env, ...extra };
}

/** Starts `node dist/cli/arca.js server …` and waits for its listening line. */
export async function spawnArca(options: ArcaOptions): Promise<ArcaProcess> {
  const { dataDir, credentials } = options;
  const child = spawn(
    process.execPath,
    [CLI, 'server', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])],
    {
      cwd: ROOT,
      env: childEnvironment({
        ...(credentials ? { ARCA_ACCESS_KEY_ID: credentials.accessKeyId, ARCA_ACCESS_KEY_SECRET: credentials.accessKeySecret } : {}),
        ...options.env,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const exited = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no listening line within ${START_TIMEOUT_MS} ms; stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`));
    }, START_TIMEOUT_MS);
    // Stays attached after the listening line: a full pipe would stall the child.
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      partial += chunk;
      const complete = partial.split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete) {
        lines.push(line);
        const match = LISTENING.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
    });
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`arca exited (${exit.code ?? exit.signal}) before listening; stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`));
    });
  });

  return {
    child,
    dataDir,
    port,
    endpoint: `127.0.0.1:${port}`,
    lines,
    stderr: () => stderr,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (alive()) child.kill(signal);
      return exited;
    },
    kill: () => {
      if (alive()) child.kill('SIGKILL');
    },
  };
}

/** SIGKILLs every child spawnArca started that has not exited yet. */
export function killAllArcas(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
