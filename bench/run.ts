// `npm run bench -- [--mode api|workers|scale] [--duration <s>] [--connections <n>] [--json <file>] …`
//
// Starts Arca (the compiled CLI, SQLite, port 0, a temporary data directory; built first when
// dist/ is older than src/) and a bare node:http server (bench/ceiling-server.ts), each in its
// own process, plus a load generator in a third (bench/loadgen.ts, raw HTTP/1.1 sockets). The api
// mode creates an AES-256 and an SM4 key (and an HSM key when a token is at hand) and one
// ciphertext of each, then drives each scenario at a fixed concurrency and reports requests/s,
// p50/p99 latency, errors, the ratio to the ceiling, CPU per request of server and generator, and
// the server's RSS. The workers mode compares 1 and 2 worker processes; the scale mode creates
// --keys keys, restarts, and encrypts under keys drawn at random. Every child is killed at the
// end, on errors and on signals. Never part of `npm test`: timings on shared machines are noise.
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { FromLoadgen, LoadJob, LoadResult, ToLoadgen } from './protocol.js';
import { ActionSigner, type Credentials } from './signer.js';
import { configuredToken, softHsmToken, type BenchToken } from './softhsm.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'arca.js');
const CREDENTIALS: Credentials = { accessKeyId: 'LTAIbench000000000000000', accessKeySecret: randomBytes(24).toString('base64url') };
const KEY_SPEC = { aes: 'Aliyun_AES_256', sm4: 'Aliyun_SM4' } as const;

type ProtectionLevel = 'SOFTWARE' | 'HSM';

interface Scenario {
  readonly name: string;
  readonly action: string;
  readonly keySpec: string;
  readonly protectionLevel: ProtectionLevel;
  readonly params: Readonly<Record<string, string>>;
}

interface Row {
  readonly name: string;
  readonly action: string;
  readonly keySpec: string;
  readonly protectionLevel: ProtectionLevel;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly ratio: number;
  readonly serverCpuUsPerRequest: number;
  readonly loadgenCpuUsPerRequest: number;
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

function killChildren(): void {
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

process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    console.error(`\nbench: ${signal}, stopping`);
    killChildren();
    process.exit(130);
  });
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

function buildIfStale(): void {
  const stale = !existsSync(CLI) || statSync(CLI).mtimeMs < newestMtime(join(ROOT, 'src'));
  if (!stale) return;
  console.log('bench: dist/ is missing or older than src/; running npm run build');
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed');
}

function call(port: number, host: string, action: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const signer = new ActionSigner(CREDENTIALS, host, action, params);
  return new Promise((resolvePromise, reject) => {
    const req = request({ hostname: '127.0.0.1', port, method: 'POST', path: signer.path, headers: signer.headers(), setHost: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`${action} failed: HTTP ${res.statusCode}: ${text}`));
        else resolvePromise(JSON.parse(text) as Record<string, unknown>);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function field(body: Record<string, unknown>, ...path: string[]): string {
  let value: unknown = body;
  for (const name of path) value = (value as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string') throw new Error(`no ${path.join('.')} in ${JSON.stringify(body)}`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Measuring

function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? 0 : Number(match[1]) / 1024;
  } catch {
    const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
    return Number(ps.stdout.trim()) / 1024 || 0;
  }
}

/** A process's CPU time so far (user + system), in microseconds, from /proc (Linux only). */
function cpuMicros(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** Linux reports /proc times in USER_HZ, which is 100 on every mainstream kernel build. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Runs a job and measures the server's CPU time over its recorded part (after the warm-up): CPU
 * per request is the figure that profiling moves, and it holds even when the machine is noisy.
 */
async function measured(loadgen: Loadgen, job: LoadJob, serverPid: number): Promise<LoadResult & { serverCpuUsPerRequest: number }> {
  let before: number | undefined;
  const timer = setTimeout(() => {
    before = treeCpuMicros(serverPid);
  }, job.warmupMs);
  const result = await loadgen.run(job);
  clearTimeout(timer);
  const after = treeCpuMicros(serverPid);
  const serverCpuUsPerRequest = before === undefined || after === undefined || result.requests === 0 ? 0 : (after - before) / result.requests;
  return { ...result, serverCpuUsPerRequest };
}

class Loadgen {
  private readonly child: ChildProcess;
  private pending: ((message: FromLoadgen) => void) | undefined;
  readonly ready: Promise<void>;

  constructor() {
    this.child = track(fork(join(ROOT, 'bench', 'loadgen.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
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
function stopGracefully(child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolvePromise();
      return;
    }
    child.once('exit', () => resolvePromise());
    child.kill('SIGTERM');
  });
}

// ---------------------------------------------------------------------------------------------
// Report

function machine(): Record<string, unknown> {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model ?? 'unknown',
    node: process.version,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${process.platform} ${release()} ${process.arch}`,
    note: 'server, ceiling and load generator share these cores',
  };
}

function fmt(n: number, digits: number): string {
  return n.toFixed(digits);
}

function table(ceiling: LoadResult & { serverCpuUsPerRequest: number }, rows: readonly Row[]): string {
  const header = ['scenario', 'action', 'keySpec', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'ratio', 'server µs/req', 'loadgen µs/req'];
  const lines = [
    [
      'ceiling (bare node:http)', '-', '-', fmt(ceiling.rps, 0), fmt(ceiling.p50Ms, 2), fmt(ceiling.p99Ms, 2), String(ceiling.errors), '1.00',
      fmt(ceiling.serverCpuUsPerRequest, 0), fmt(ceiling.loadgenCpuUsPerRequest, 0),
    ],
    ...rows.map((r) => [
      r.name, r.action, r.keySpec, fmt(r.rps, 0), fmt(r.p50Ms, 2), fmt(r.p99Ms, 2), String(r.errors), fmt(r.ratio, 2),
      fmt(r.serverCpuUsPerRequest, 0), fmt(r.loadgenCpuUsPerRequest, 0),
    ]),
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const render = (cells: readonly string[]): string => `| ${cells.map((c, i) => (i >= 3 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  return [render(header), `|${widths.map((w, i) => (i >= 3 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...lines.map(render)].join('\n');
}

// ---------------------------------------------------------------------------------------------

interface Settings {
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

interface Arca {
  readonly child: ChildProcess;
  readonly port: number;
  readonly host: string;
  readonly pid: number;
  /** Milliseconds from spawn to the listening line. */
  readonly startMs: number;
}

/**
 * Starts the compiled server on `dataDir` and waits for its listening line. The log level is the
 * server's default (info: an audit line per request, part of what is measured) unless
 * ARCA_LOG_LEVEL is set for the bench.
 */
async function startArca(dataDir: string, settings: Settings, workers: number): Promise<Arca> {
  const started = performance.now();
  const nodeFlags = settings.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', resolve(settings.cpuProfDir)];
  const hsm = typeof settings.hsm === 'string' ? undefined : settings.hsm;
  const args = [...nodeFlags, CLI, 'server', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--workers', String(workers), ...(hsm?.args ?? [])];
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

async function startCeiling(): Promise<{ child: ChildProcess; port: number }> {
  const child = track(spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'ceiling-server.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  const { port } = await waitForListening(child, 'ceiling server');
  return { child, port };
}

/** The pids of a process and of its children (a cluster's workers). */
function processTree(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return [pid, ...(children === '' ? [] : children.split(' ').map(Number).flatMap(processTree))];
  } catch {
    return [pid];
  }
}

function treeRssMb(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + rssMb(p), 0);
}

function treeCpuMicros(pid: number): number | undefined {
  let total = 0;
  for (const p of processTree(pid)) {
    const micros = cpuMicros(p);
    if (micros === undefined) return undefined;
    total += micros;
  }
  return total;
}

/** Samples the server's RSS (with its workers) every 250 ms: the peak, and growth after the first 10 s. */
class RssWatch {
  #peak = 0;
  #samples: Array<{ atMs: number; mb: number }> = [];
  readonly #timer: NodeJS.Timeout;
  readonly #started = performance.now();

  constructor(private readonly pid: number) {
    this.#timer = setInterval(() => this.#sample(), 250);
    this.#sample();
  }

  #sample(): void {
    const mb = treeRssMb(this.pid);
    this.#peak = Math.max(this.#peak, mb);
    this.#samples.push({ atMs: performance.now() - this.#started, mb });
  }

  stop(): { peakMb: number; at10sMb: number | undefined; endMb: number; growthAfter10sPct: number | undefined } {
    clearInterval(this.#timer);
    this.#sample();
    const at10s = this.#samples.find((s) => s.atMs >= 10_000)?.mb;
    const endMb = this.#samples.at(-1)?.mb ?? 0;
    return {
      peakMb: this.#peak,
      at10sMb: at10s,
      endMb,
      growthAfter10sPct: at10s === undefined || at10s === 0 ? undefined : ((endMb - at10s) / at10s) * 100,
    };
  }
}

async function measureCeiling(loadgen: Loadgen, settings: Settings): Promise<LoadResult & { serverCpuUsPerRequest: number }> {
  const ceilingServer = await startCeiling();
  const ceiling = await measured(
    loadgen,
    { name: 'ceiling', port: ceilingServer.port, host: `127.0.0.1:${ceilingServer.port}`, connections: settings.connections, warmupMs: settings.warmupMs, durationMs: settings.durationMs },
    ceilingServer.child.pid ?? 0,
  );
  console.log(`  ceiling: ${fmt(ceiling.rps, 0)} req/s`);
  // The ceiling server has done its job; stopping it leaves its core to the scenarios.
  ceilingServer.child.kill('SIGTERM');
  return ceiling;
}

/**
 * One key of each spec and one 1 KiB ciphertext of each, through signed requests; the scenarios
 * over them; with a token, an AES-256 HSM key too (SM4 HSM keys are refused: SoftHSM2 has no SM4).
 */
async function apiScenarios(arca: Arca, hsm: BenchToken | string): Promise<Scenario[]> {
  const plaintext = randomBytes(768).toString('base64'); // 1,024 characters
  const keys: Record<string, string> = {};
  const blobs: Record<string, string> = {};
  for (const [label, spec] of Object.entries(KEY_SPEC)) {
    const created = await call(arca.port, arca.host, 'CreateKey', { KeySpec: spec, KeyUsage: 'ENCRYPT/DECRYPT', Description: `bench ${label}` });
    const keyId = field(created, 'KeyMetadata', 'KeyId');
    keys[spec] = keyId;
    blobs[spec] = field(await call(arca.port, arca.host, 'Encrypt', { KeyId: keyId, Plaintext: plaintext }), 'CiphertextBlob');
  }
  const keyOf = (spec: string): string => keys[spec] ?? '';
  const blobOf = (spec: string): string => blobs[spec] ?? '';
  const software = 'SOFTWARE';
  const scenarios: Scenario[] = [
    { name: 'Encrypt AES-256 1 KiB', action: 'Encrypt', keySpec: KEY_SPEC.aes, protectionLevel: software, params: { KeyId: keyOf(KEY_SPEC.aes), Plaintext: plaintext } },
    { name: 'Decrypt AES-256 1 KiB', action: 'Decrypt', keySpec: KEY_SPEC.aes, protectionLevel: software, params: { CiphertextBlob: blobOf(KEY_SPEC.aes) } },
    {
      name: 'GenerateDataKey AES-256 32 B',
      action: 'GenerateDataKey',
      keySpec: KEY_SPEC.aes,
      protectionLevel: software,
      params: { KeyId: keyOf(KEY_SPEC.aes), NumberOfBytes: '32' },
    },
    { name: 'Encrypt SM4 1 KiB', action: 'Encrypt', keySpec: KEY_SPEC.sm4, protectionLevel: software, params: { KeyId: keyOf(KEY_SPEC.sm4), Plaintext: plaintext } },
    { name: 'Decrypt SM4 1 KiB', action: 'Decrypt', keySpec: KEY_SPEC.sm4, protectionLevel: software, params: { CiphertextBlob: blobOf(KEY_SPEC.sm4) } },
  ];
  if (typeof hsm !== 'string') {
    const created = await call(arca.port, arca.host, 'CreateKey', { KeySpec: KEY_SPEC.aes, ProtectionLevel: 'HSM', Description: 'bench hsm' });
    const keyId = field(created, 'KeyMetadata', 'KeyId');
    const blob = field(await call(arca.port, arca.host, 'Encrypt', { KeyId: keyId, Plaintext: plaintext }), 'CiphertextBlob');
    scenarios.push(
      { name: 'Encrypt AES-256 HSM 1 KiB', action: 'Encrypt', keySpec: KEY_SPEC.aes, protectionLevel: 'HSM', params: { KeyId: keyId, Plaintext: plaintext } },
      { name: 'Decrypt AES-256 HSM 1 KiB', action: 'Decrypt', keySpec: KEY_SPEC.aes, protectionLevel: 'HSM', params: { CiphertextBlob: blob } },
    );
  }
  return scenarios;
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

/** HSM Encrypt requests/s over software Encrypt requests/s (both AES-256), when both ran. */
function hsmEncryptRatio(rows: readonly Row[]): number | undefined {
  const encrypt = (level: ProtectionLevel): Row | undefined => rows.find((r) => r.action === 'Encrypt' && r.keySpec === KEY_SPEC.aes && r.protectionLevel === level);
  const hsmRow = encrypt('HSM');
  const softwareRow = encrypt('SOFTWARE');
  return hsmRow && softwareRow && softwareRow.rps > 0 ? hsmRow.rps / softwareRow.rps : undefined;
}

async function runScenario(loadgen: Loadgen, arca: Arca, scenario: Scenario, settings: Settings, ceilingRps: number, extra: Partial<LoadJob> = {}): Promise<Row> {
  const result = await measured(
    loadgen,
    {
      name: scenario.name,
      port: arca.port,
      host: arca.host,
      signed: { credentials: CREDENTIALS, action: scenario.action, params: scenario.params },
      connections: settings.connections,
      warmupMs: settings.warmupMs,
      durationMs: settings.durationMs,
      ...extra,
    },
    arca.pid,
  );
  console.log(`  ${scenario.name}: ${fmt(result.rps, 0)} req/s${result.errors > 0 ? `, ${result.errors} errors (first: ${result.firstError ?? '?'})` : ''}`);
  return {
    name: scenario.name,
    action: scenario.action,
    keySpec: scenario.keySpec,
    protectionLevel: scenario.protectionLevel,
    rps: result.rps,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    errors: result.errors,
    ratio: ceilingRps > 0 ? result.rps / ceilingRps : 0,
    serverCpuUsPerRequest: result.serverCpuUsPerRequest,
    loadgenCpuUsPerRequest: result.loadgenCpuUsPerRequest,
  };
}

function newDataDir(): string {
  tempDir ??= mkdtempSync(join(tmpdir(), 'arca-bench-'));
  return mkdtempSync(join(tempDir, 'data-'));
}

const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;

function roundedRow(r: Row): Row {
  return {
    ...r,
    rps: round(r.rps, 0),
    p50Ms: round(r.p50Ms, 3),
    p99Ms: round(r.p99Ms, 3),
    ratio: round(r.ratio, 3),
    serverCpuUsPerRequest: round(r.serverCpuUsPerRequest, 1),
    loadgenCpuUsPerRequest: round(r.loadgenCpuUsPerRequest, 1),
  };
}

function ceilingJson(ceiling: LoadResult & { serverCpuUsPerRequest: number }): Record<string, number> {
  return {
    rps: round(ceiling.rps, 0),
    p50Ms: round(ceiling.p50Ms, 3),
    p99Ms: round(ceiling.p99Ms, 3),
    serverCpuUsPerRequest: round(ceiling.serverCpuUsPerRequest, 1),
    loadgenCpuUsPerRequest: round(ceiling.loadgenCpuUsPerRequest, 1),
  };
}

function printMachine(settings: Settings): Record<string, unknown> {
  const info = machine();
  console.log(
    `machine: ${String(info.cpus)} × ${String(info.model)}, ${String(info.memoryGb)} GB, Node ${process.version}; ` +
      `${settings.connections} connections, ${settings.durationMs / 1000} s per scenario after ${settings.warmupMs / 1000} s of warm-up`,
  );
  return info;
}

/** The default mode: every API scenario against one server (`--workers` processes), beside the ceiling. */
async function apiMode(settings: Settings, loadgen: Loadgen): Promise<Record<string, unknown>> {
  const arca = await startArca(newDataDir(), settings, settings.workers);
  console.log(typeof settings.hsm === 'string' ? `bench: no HSM scenarios: ${settings.hsm}` : `bench: HSM scenarios on ${settings.hsm.description}`);
  const scenarios = (await apiScenarios(arca, settings.hsm)).filter((s) => settings.only === undefined || s.name.toLowerCase().includes(settings.only.toLowerCase()));
  const total = (scenarios.length + 1) * (settings.durationMs + settings.warmupMs);
  console.log(
    `bench: ${scenarios.length} scenarios + ceiling, ${settings.connections} connections, ${settings.workers} worker(s), ` +
      `${settings.durationMs / 1000} s each (+${settings.warmupMs / 1000} s warm-up): about ${Math.ceil(total / 1000)} s`,
  );
  const ceiling = await measureCeiling(loadgen, settings);
  const rss = new RssWatch(arca.pid);
  const rows: Row[] = [];
  const rssByScenario: Record<string, number | undefined> = {};
  for (const scenario of scenarios) {
    const watch = new RssWatch(arca.pid);
    rows.push(await runScenario(loadgen, arca, scenario, settings, ceiling.rps));
    rssByScenario[scenario.name] = watch.stop().growthAfter10sPct;
  }
  const memory = rss.stop();
  if (settings.cpuProfDir !== undefined) await stopGracefully(arca.child);
  else arca.child.kill('SIGTERM');

  console.log(`\n${table(ceiling, rows)}\n`);
  const hsmToSoftware = hsmEncryptRatio(rows);
  if (hsmToSoftware !== undefined) console.log(`HSM Encrypt / software Encrypt (AES-256, this run): ${fmt(hsmToSoftware, 2)} (target ≥ 0.50)`);
  console.log(`Arca peak RSS: ${fmt(memory.peakMb, 1)} MB (with its workers)`);
  for (const [name, growth] of Object.entries(rssByScenario)) {
    if (growth !== undefined) console.log(`  RSS growth after the first 10 s of "${name}": ${fmt(growth, 1)} %`);
  }
  const info = printMachine(settings);
  return {
    mode: 'api',
    settings: { durationSeconds: settings.durationMs / 1000, warmupSeconds: settings.warmupMs / 1000, connections: settings.connections, workers: settings.workers },
    ceiling: ceilingJson(ceiling),
    results: rows.map(roundedRow),
    ...(hsmToSoftware === undefined ? {} : { hsmEncryptToSoftwareEncrypt: round(hsmToSoftware, 3) }),
    machine: info,
    serverPeakRssMb: round(memory.peakMb, 1),
    rssGrowthAfter10sPct: Object.fromEntries(Object.entries(rssByScenario).map(([k, v]) => [k, v === undefined ? null : round(v, 1)])),
  };
}

/** 1 worker against 2: the same AES scenarios on two fresh servers. */
async function workersMode(settings: Settings, loadgen: Loadgen): Promise<Record<string, unknown>> {
  console.log(`bench: workers, 1 against 2, ${settings.connections} connections, ${settings.durationMs / 1000} s per scenario`);
  const ceiling = await measureCeiling(loadgen, settings);
  const byWorkers: Record<string, Row[]> = {};
  for (const workers of [1, 2]) {
    console.log(` ${workers} worker(s):`);
    const arca = await startArca(newDataDir(), settings, workers);
    console.log(typeof settings.hsm === 'string' ? `bench: no HSM scenarios: ${settings.hsm}` : `bench: HSM scenarios on ${settings.hsm.description}`);
  const scenarios = (await apiScenarios(arca, settings.hsm)).filter((s) => s.keySpec === KEY_SPEC.aes);
    const rows: Row[] = [];
    for (const scenario of scenarios) rows.push(await runScenario(loadgen, arca, { ...scenario, name: `${scenario.name}, ${workers} worker(s)` }, settings, ceiling.rps));
    byWorkers[String(workers)] = rows;
    arca.child.kill('SIGTERM');
  }
  console.log(`\n${table(ceiling, [...(byWorkers['1'] ?? []), ...(byWorkers['2'] ?? [])])}\n`);
  console.log('The load generator and the ceiling run on the same 2 cores as the workers: 2 workers compete with the generator for them.');
  const info = printMachine(settings);
  return {
    mode: 'workers',
    settings: { durationSeconds: settings.durationMs / 1000, warmupSeconds: settings.warmupMs / 1000, connections: settings.connections },
    ceiling: ceilingJson(ceiling),
    results: Object.values(byWorkers).flat().map(roundedRow),
    machine: info,
  };
}

/**
 * `--keys N` keys created through the API (each CreateKey a durable commit), the time a server
 * takes to start on that store, then Encrypt over keys drawn at random (so most requests miss the
 * key cache at first).
 */
async function scaleMode(settings: Settings, loadgen: Loadgen): Promise<Record<string, unknown>> {
  const dataDir = newDataDir();
  console.log(`bench: scale, ${settings.keys} keys, ${settings.connections} connections`);
  let arca = await startArca(dataDir, settings, settings.workers);
  const created = await loadgen.run({
    name: 'CreateKey',
    port: arca.port,
    host: arca.host,
    signed: { credentials: CREDENTIALS, action: 'CreateKey', params: { KeySpec: KEY_SPEC.aes }, collectKeyIds: true },
    connections: settings.connections,
    warmupMs: 0,
    durationMs: 24 * 3600 * 1000,
    maxRequests: settings.keys,
  });
  const keyIds = created.keyIds ?? [];
  console.log(`  CreateKey: ${keyIds.length} keys at ${fmt(created.rps, 0)} req/s (p50 ${fmt(created.p50Ms, 2)} ms, p99 ${fmt(created.p99Ms, 2)} ms), ${created.errors} errors`);
  await stopGracefully(arca.child);

  arca = await startArca(dataDir, settings, settings.workers);
  console.log(`  start-up with ${keyIds.length} keys: ${fmt(arca.startMs, 0)} ms to the listening line`);
  const plaintext = randomBytes(768).toString('base64');
  const rss = new RssWatch(arca.pid);
  const encrypt = await runScenario(
    loadgen,
    arca,
    {
      name: `Encrypt AES-256 1 KiB, random key of ${keyIds.length}`,
      action: 'Encrypt',
      keySpec: KEY_SPEC.aes,
      protectionLevel: 'SOFTWARE',
      params: { Plaintext: plaintext },
    },
    settings,
    0,
    { signed: { credentials: CREDENTIALS, action: 'Encrypt', params: { Plaintext: plaintext }, randomKeyIds: keyIds } },
  );
  const memory = rss.stop();
  arca.child.kill('SIGTERM');
  console.log(`  Encrypt over random keys: ${fmt(encrypt.rps, 0)} req/s, p50 ${fmt(encrypt.p50Ms, 2)} ms, p99 ${fmt(encrypt.p99Ms, 2)} ms, ${encrypt.errors} errors; peak RSS ${fmt(memory.peakMb, 1)} MB`);
  const info = printMachine(settings);
  return {
    mode: 'scale',
    keys: keyIds.length,
    createKey: { rps: round(created.rps, 0), p50Ms: round(created.p50Ms, 3), p99Ms: round(created.p99Ms, 3), errors: created.errors },
    startupMs: round(arca.startMs, 0),
    results: [roundedRow(encrypt)],
    serverPeakRssMb: round(memory.peakMb, 1),
    machine: info,
  };
}

const USAGE =
  'usage: npm run bench -- [--mode api|workers|scale] [--duration <seconds>] [--connections <n>] [--warmup <seconds>] ' +
  '[--workers <n>] [--keys <n>] [--json <file>] [--only <scenario>] [--cpu-prof <dir>] ' +
  '[--hsm auto|on|off] [--pkcs11-module <path> --pkcs11-token-label <label>]';

async function main(): Promise<void> {
  const { values } = parseArgs({
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
  });
  buildIfStale();
  tempDir ??= mkdtempSync(join(tmpdir(), 'arca-bench-'));
  const hsm = values.mode === 'api' ? hsmToken(values.hsm, tempDir, values['pkcs11-module'], values['pkcs11-token-label']) : 'only in the api mode';
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
  const modes = { api: apiMode, workers: workersMode, scale: scaleMode } as const;
  const mode = modes[values.mode as keyof typeof modes] as (typeof modes)[keyof typeof modes] | undefined;
  if (!valid || mode === undefined) throw new Error(USAGE);

  const loadgen = new Loadgen();
  await loadgen.ready;
  const report = await mode(settings, loadgen);
  loadgen.stop();
  if (values.json !== undefined) {
    writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), ...report }, null, 2)}\n`);
    console.log(`wrote ${values.json}`);
  }
}

main().then(
  () => {
    killChildren();
    process.exit(0);
  },
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    killChildren();
    process.exit(1);
  },
);
