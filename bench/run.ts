// `npm run bench -- --duration <seconds> --connections <n> --json <file>`
//
// Starts Arca (the compiled CLI, SQLite, port 0, a temporary data directory; built first when
// dist/ is older than src/) and a bare node:http server (bench/ceiling-server.ts), each in its
// own process, plus a load generator in a third (bench/loadgen.ts). Creates an AES-256 and an SM4
// key and one ciphertext of each with signed requests, then drives each scenario at a fixed
// concurrency and reports requests/s, p50/p99 latency, errors, the ratio to the ceiling, and the
// server's peak RSS. Every child is killed at the end, on errors and on signals. Never part of
// `npm test`: timings on shared machines are noise.
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

interface Scenario {
  readonly name: string;
  readonly action: string;
  readonly keySpec: string;
  readonly protectionLevel: 'SOFTWARE' | 'HSM';
  readonly params: Readonly<Record<string, string>>;
}

interface Row {
  readonly name: string;
  readonly action: string;
  readonly keySpec: string;
  readonly protectionLevel: 'SOFTWARE' | 'HSM';
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly ratio: number;
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

function table(ceiling: LoadResult, rows: readonly Row[]): string {
  const header = ['scenario', 'action', 'keySpec', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'ratio'];
  const lines = [
    ['ceiling (bare node:http)', '-', '-', fmt(ceiling.rps, 0), fmt(ceiling.p50Ms, 2), fmt(ceiling.p99Ms, 2), String(ceiling.errors), '1.00'],
    ...rows.map((r) => [r.name, r.action, r.keySpec, fmt(r.rps, 0), fmt(r.p50Ms, 2), fmt(r.p99Ms, 2), String(r.errors), fmt(r.ratio, 2)]),
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const render = (cells: readonly string[]): string => `| ${cells.map((c, i) => (i >= 3 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  return [render(header), `|${widths.map((w, i) => (i >= 3 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...lines.map(render)].join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
      warmup: { type: 'string', default: '1' },
      json: { type: 'string' },
      // auto: HSM scenarios on a SoftHSM2 token of the bench's own when SoftHSM2 is installed;
      // on: the same, and fail without it; off: software scenarios only.
      hsm: { type: 'string', default: 'auto' },
      'pkcs11-module': { type: 'string' },
      'pkcs11-token-label': { type: 'string' },
    },
  });
  const durationMs = Number(values.duration) * 1000;
  const warmupMs = Number(values.warmup) * 1000;
  const connections = Number(values.connections);
  if (!(durationMs > 0) || !(warmupMs >= 0) || !Number.isInteger(connections) || connections < 1) {
    throw new Error(
      'usage: npm run bench -- [--duration <seconds>] [--connections <n>] [--warmup <seconds>] [--json <file>] [--hsm auto|on|off] [--pkcs11-module <path> --pkcs11-token-label <label>]',
    );
  }
  if (!['auto', 'on', 'off'].includes(values.hsm)) throw new Error('--hsm is auto, on or off');

  buildIfStale();
  tempDir = mkdtempSync(join(tmpdir(), 'arca-bench-'));
  const hsm = hsmToken(values.hsm, tempDir, values['pkcs11-module'], values['pkcs11-token-label']);
  console.log(typeof hsm === 'string' ? `bench: no HSM scenarios: ${hsm}` : `bench: HSM scenarios on ${hsm.description}`);
  const arca = track(
    spawn(process.execPath, [CLI, 'server', '--host', '127.0.0.1', '--port', '0', '--data-dir', tempDir, ...(typeof hsm === 'string' ? [] : hsm.args)], {
      cwd: ROOT,
      env: {
        ...process.env,
        ARCA_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        ARCA_ACCESS_KEY_SECRET: CREDENTIALS.accessKeySecret,
        ARCA_LOG_LEVEL: 'warn',
        ...(typeof hsm === 'string' ? {} : hsm.env),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const ceilingServer = track(spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'ceiling-server.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  const loadgen = new Loadgen();
  const [arcaAddress, ceilingAddress] = await Promise.all([waitForListening(arca, 'arca'), waitForListening(ceilingServer, 'ceiling server'), loadgen.ready]);
  arca.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[arca] ${chunk.toString('utf8')}`));
  const arcaPid = arca.pid ?? 0;
  const arcaHost = `127.0.0.1:${arcaAddress.port}`;

  // Setup: one key of each spec and one ciphertext of each, through signed requests.
  const plaintext = randomBytes(768).toString('base64'); // 1,024 characters
  const keys: Record<string, string> = {};
  const blobs: Record<string, string> = {};
  for (const [label, spec] of Object.entries(KEY_SPEC)) {
    const created = await call(arcaAddress.port, arcaHost, 'CreateKey', { KeySpec: spec, KeyUsage: 'ENCRYPT/DECRYPT', Description: `bench ${label}` });
    const keyId = field(created, 'KeyMetadata', 'KeyId');
    keys[spec] = keyId;
    blobs[spec] = field(await call(arcaAddress.port, arcaHost, 'Encrypt', { KeyId: keyId, Plaintext: plaintext }), 'CiphertextBlob');
  }
  const keyOf = (spec: string): string => keys[spec] ?? '';
  const blobOf = (spec: string): string => blobs[spec] ?? '';
  const SOFTWARE = 'SOFTWARE';
  const scenarios: Scenario[] = [
    { name: 'Encrypt AES-256 1 KiB', action: 'Encrypt', keySpec: KEY_SPEC.aes, protectionLevel: SOFTWARE, params: { KeyId: keyOf(KEY_SPEC.aes), Plaintext: plaintext } },
    { name: 'Decrypt AES-256 1 KiB', action: 'Decrypt', keySpec: KEY_SPEC.aes, protectionLevel: SOFTWARE, params: { CiphertextBlob: blobOf(KEY_SPEC.aes) } },
    {
      name: 'GenerateDataKey AES-256 32 B',
      action: 'GenerateDataKey',
      keySpec: KEY_SPEC.aes,
      protectionLevel: SOFTWARE,
      params: { KeyId: keyOf(KEY_SPEC.aes), NumberOfBytes: '32' },
    },
    { name: 'Encrypt SM4 1 KiB', action: 'Encrypt', keySpec: KEY_SPEC.sm4, protectionLevel: SOFTWARE, params: { KeyId: keyOf(KEY_SPEC.sm4), Plaintext: plaintext } },
    { name: 'Decrypt SM4 1 KiB', action: 'Decrypt', keySpec: KEY_SPEC.sm4, protectionLevel: SOFTWARE, params: { CiphertextBlob: blobOf(KEY_SPEC.sm4) } },
  ];
  if (typeof hsm !== 'string') {
    // An AES-256 key in the token (SM4 HSM keys are refused: no PKCS#11 SM4 mechanism).
    const created = await call(arcaAddress.port, arcaHost, 'CreateKey', { KeySpec: KEY_SPEC.aes, ProtectionLevel: 'HSM', Description: 'bench hsm' });
    const keyId = field(created, 'KeyMetadata', 'KeyId');
    const blob = field(await call(arcaAddress.port, arcaHost, 'Encrypt', { KeyId: keyId, Plaintext: plaintext }), 'CiphertextBlob');
    scenarios.push(
      { name: 'Encrypt AES-256 HSM 1 KiB', action: 'Encrypt', keySpec: KEY_SPEC.aes, protectionLevel: 'HSM', params: { KeyId: keyId, Plaintext: plaintext } },
      { name: 'Decrypt AES-256 HSM 1 KiB', action: 'Decrypt', keySpec: KEY_SPEC.aes, protectionLevel: 'HSM', params: { CiphertextBlob: blob } },
    );
  }

  let peakRssMb = rssMb(arcaPid);
  const sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, rssMb(arcaPid));
  }, 250);

  const total = (scenarios.length + 1) * (durationMs + warmupMs);
  console.log(`bench: ${scenarios.length} scenarios + ceiling, ${connections} connections, ${durationMs / 1000} s each (+${warmupMs / 1000} s warm-up): about ${Math.ceil(total / 1000)} s`);
  const ceiling = await loadgen.run({ name: 'ceiling', port: ceilingAddress.port, host: `127.0.0.1:${ceilingAddress.port}`, connections, warmupMs, durationMs });
  console.log(`  ceiling: ${fmt(ceiling.rps, 0)} req/s`);
  // The ceiling server has done its job; stopping it leaves its core to the scenarios.
  ceilingServer.kill('SIGTERM');
  const rows: Row[] = [];
  for (const scenario of scenarios) {
    const result = await loadgen.run({
      name: scenario.name,
      port: arcaAddress.port,
      host: arcaHost,
      signed: { credentials: CREDENTIALS, action: scenario.action, params: scenario.params },
      connections,
      warmupMs,
      durationMs,
    });
    const row: Row = {
      name: scenario.name,
      action: scenario.action,
      keySpec: scenario.keySpec,
      protectionLevel: scenario.protectionLevel,
      rps: result.rps,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      errors: result.errors,
      ratio: ceiling.rps > 0 ? result.rps / ceiling.rps : 0,
    };
    rows.push(row);
    console.log(`  ${scenario.name}: ${fmt(row.rps, 0)} req/s${result.errors > 0 ? `, ${result.errors} errors (first: ${result.firstError ?? '?'})` : ''}`);
  }
  clearInterval(sampler);
  peakRssMb = Math.max(peakRssMb, rssMb(arcaPid));
  loadgen.stop();

  const info = machine();
  console.log(`\n${table(ceiling, rows)}\n`);
  const hsmToSoftware = hsmEncryptRatio(rows);
  if (hsmToSoftware !== undefined) console.log(`HSM Encrypt / software Encrypt (AES-256, this run): ${fmt(hsmToSoftware, 2)} (target ≥ 0.50)`);
  console.log(`Arca peak RSS: ${fmt(peakRssMb, 1)} MB`);
  console.log(`machine: ${String(info.cpus)} × ${String(info.model)}, ${String(info.memoryGb)} GB, Node ${process.version}; ${connections} connections, ${durationMs / 1000} s per scenario`);

  if (values.json !== undefined) {
    const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;
    const report = {
      date: new Date().toISOString(),
      settings: { durationSeconds: durationMs / 1000, warmupSeconds: warmupMs / 1000, connections },
      ceiling: { rps: round(ceiling.rps, 0), p50Ms: round(ceiling.p50Ms, 3), p99Ms: round(ceiling.p99Ms, 3) },
      results: rows.map((r) => ({ ...r, rps: round(r.rps, 0), p50Ms: round(r.p50Ms, 3), p99Ms: round(r.p99Ms, 3), ratio: round(r.ratio, 3) })),
      ...(hsmToSoftware === undefined ? {} : { hsmEncryptToSoftwareEncrypt: round(hsmToSoftware, 3) }),
      machine: info,
      serverPeakRssMb: round(peakRssMb, 1),
    };
    writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${values.json}`);
  }
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
  const encrypt = (level: string): Row | undefined => rows.find((r) => r.action === 'Encrypt' && r.keySpec === KEY_SPEC.aes && r.protectionLevel === level);
  const hsmRow = encrypt('HSM');
  const softwareRow = encrypt('SOFTWARE');
  return hsmRow && softwareRow && softwareRow.rps > 0 ? hsmRow.rps / softwareRow.rps : undefined;
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
