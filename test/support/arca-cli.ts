// Runs the compiled client commands (`node dist/cli/arca.js <command> …`) as child processes, the
// way outside checks and users run them: endpoint and credentials from the environment.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

import { CLI, ROOT } from './arca-process.js';
import { TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET, type TestServer } from './server.js';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** stdout as text. */
  readonly text: string;
  /** stdout parsed as JSON (throws when it is not). */
  json(): any;
}

export interface CliOptions {
  /** Environment beside the test's own, without its ARCA_* variables. */
  readonly env?: Record<string, string | undefined>;
  /** Written to the child's stdin, then stdin is closed. A stream is piped. */
  readonly input?: Buffer | string | Readable;
  readonly cwd?: string;
}

/** ARCA_ENDPOINT and the test administrator's credentials for `server`. */
export function serverEnvironment(server: Pick<TestServer, 'endpoint'>): Record<string, string> {
  return { ARCA_ENDPOINT: server.endpoint, ARCA_ACCESS_KEY_ID: TEST_ACCESS_KEY_ID, ARCA_ACCESS_KEY_SECRET: TEST_ACCESS_KEY_SECRET };
}

/** This process's environment without ARCA_* settings (and without a HOME profile), plus `extra`. */
export function cliEnvironment(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ARCA_')) env[name] = value;
  // A profile file the developer may have in ~/.arca must not leak into the tests.
  env.ARCA_CONFIG_FILE = '/nonexistent/arca-test-config.json';
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Starts the CLI with `args`; the caller wires stdin and stdout (for pipes between children). */
export function spawnCli(args: readonly string[], options: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: cliEnvironment(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs the CLI to completion and collects its output. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, options);
  return collectCli(child, options.input);
}

/** `input` null leaves the child's stdin to the caller (e.g. piped from another child). */
export function collectCli(child: ChildProcess, input?: Buffer | string | Readable | null): Promise<CliResult> {
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout?.on('data', (piece: Buffer) => stdout.push(piece));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (piece: string) => {
    stderr += piece;
  });
  // A child that exits before reading all of its input closes the pipe: not the test's failure.
  child.stdin?.on('error', () => undefined);
  if (input === null) return collected(child, stdout, () => stderr);
  if (input === undefined) child.stdin?.end();
  else if (typeof input === 'string' || Buffer.isBuffer(input)) child.stdin?.end(input);
  else if (child.stdin) input.pipe(child.stdin);
  return collected(child, stdout, () => stderr);
}

function collected(child: ChildProcess, stdout: Buffer[], stderr: () => string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const out = Buffer.concat(stdout);
      resolve({
        code,
        stdout: out,
        stderr: stderr(),
        text: out.toString('utf8'),
        json: () => JSON.parse(out.toString('utf8')),
      });
    });
  });
}
