// The bench's probes: the scenarios of each mode, run through the load generator, and the server's
// CPU time and RSS read from /proc while they run.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  CREDENTIALS,
  call,
  field,
  newDataDir,
  startArca,
  startCeiling,
  stopGracefully,
  type Arca,
  type Loadgen,
  type Settings,
} from './harness.js';
import type { LoadJob } from './protocol.js';
import { fmt, reportApi, reportScale, reportWorkers } from './report.js';
import { KEY_SPEC, type MeasuredLoad, type ProtectionLevel, type Row, type RssReading } from './results.js';
import type { BenchToken } from './softhsm.js';

interface Scenario {
  readonly name: string;
  readonly action: string;
  readonly keySpec: string;
  readonly protectionLevel: ProtectionLevel;
  readonly params: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------
// Readings from /proc

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

  stop(): RssReading {
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

// ---------------------------------------------------------------------------------------------
// Scenarios

/**
 * Runs a job and measures the server's CPU time over its recorded part (after the warm-up): CPU
 * per request is the figure that profiling moves, and it holds even when the machine is noisy.
 */
async function measured(loadgen: Loadgen, job: LoadJob, serverPid: number): Promise<MeasuredLoad> {
  let before: number | undefined;
  const timer = setTimeout(() => {
    before = treeCpuMicros(serverPid);
  }, job.warmupMs);
  const result = await loadgen.run(job);
  clearTimeout(timer);
  const after = treeCpuMicros(serverPid);
  const serverCpuUsPerRequest =
    before === undefined || after === undefined || result.requests === 0 ? 0 : (after - before) / result.requests;
  return { ...result, serverCpuUsPerRequest };
}

async function measureCeiling(loadgen: Loadgen, settings: Settings): Promise<MeasuredLoad> {
  const ceilingServer = await startCeiling();
  const ceiling = await measured(
    loadgen,
    {
      name: 'ceiling',
      port: ceilingServer.port,
      host: `127.0.0.1:${ceilingServer.port}`,
      connections: settings.connections,
      warmupMs: settings.warmupMs,
      durationMs: settings.durationMs,
    },
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
    const created = await call(arca.port, arca.host, 'CreateKey', {
      KeySpec: spec,
      KeyUsage: 'ENCRYPT/DECRYPT',
      Description: `bench ${label}`,
    });
    const keyId = field(created, 'KeyMetadata', 'KeyId');
    keys[spec] = keyId;
    blobs[spec] = field(await call(arca.port, arca.host, 'Encrypt', { KeyId: keyId, Plaintext: plaintext }), 'CiphertextBlob');
  }
  const keyOf = (spec: string): string => keys[spec] ?? '';
  const blobOf = (spec: string): string => blobs[spec] ?? '';
  const software = 'SOFTWARE';
  const scenarios: Scenario[] = [
    {
      name: 'Encrypt AES-256 1 KiB',
      action: 'Encrypt',
      keySpec: KEY_SPEC.aes,
      protectionLevel: software,
      params: { KeyId: keyOf(KEY_SPEC.aes), Plaintext: plaintext },
    },
    {
      name: 'Decrypt AES-256 1 KiB',
      action: 'Decrypt',
      keySpec: KEY_SPEC.aes,
      protectionLevel: software,
      params: { CiphertextBlob: blobOf(KEY_SPEC.aes) },
    },
    {
      name: 'GenerateDataKey AES-256 32 B',
      action: 'GenerateDataKey',
      keySpec: KEY_SPEC.aes,
      protectionLevel: software,
      params: { KeyId: keyOf(KEY_SPEC.aes), NumberOfBytes: '32' },
    },
    {
      name: 'Encrypt SM4 1 KiB',
      action: 'Encrypt',
      keySpec: KEY_SPEC.sm4,
      protectionLevel: software,
      params: { KeyId: keyOf(KEY_SPEC.sm4), Plaintext: plaintext },
    },
    {
      name: 'Decrypt SM4 1 KiB',
      action: 'Decrypt',
      keySpec: KEY_SPEC.sm4,
      protectionLevel: software,
      params: { CiphertextBlob: blobOf(KEY_SPEC.sm4) },
    },
  ];
  if (typeof hsm !== 'string') {
    const created = await call(arca.port, arca.host, 'CreateKey', {
      KeySpec: KEY_SPEC.aes,
      ProtectionLevel: 'HSM',
      Description: 'bench hsm',
    });
    const keyId = field(created, 'KeyMetadata', 'KeyId');
    const blob = field(await call(arca.port, arca.host, 'Encrypt', { KeyId: keyId, Plaintext: plaintext }), 'CiphertextBlob');
    scenarios.push(
      {
        name: 'Encrypt AES-256 HSM 1 KiB',
        action: 'Encrypt',
        keySpec: KEY_SPEC.aes,
        protectionLevel: 'HSM',
        params: { KeyId: keyId, Plaintext: plaintext },
      },
      {
        name: 'Decrypt AES-256 HSM 1 KiB',
        action: 'Decrypt',
        keySpec: KEY_SPEC.aes,
        protectionLevel: 'HSM',
        params: { CiphertextBlob: blob },
      },
    );
  }
  return scenarios;
}

async function runScenario(
  loadgen: Loadgen,
  arca: Arca,
  scenario: Scenario,
  settings: Settings,
  ceilingRps: number,
  extra: Partial<LoadJob> = {},
): Promise<Row> {
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
  console.log(
    `  ${scenario.name}: ${fmt(result.rps, 0)} req/s${result.errors > 0 ? `, ${result.errors} errors (first: ${result.firstError ?? '?'})` : ''}`,
  );
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

// ---------------------------------------------------------------------------------------------
// Modes

/** The default mode: every API scenario against one server (`--workers` processes), beside the ceiling. */
export async function apiMode(settings: Settings, loadgen: Loadgen): Promise<Record<string, unknown>> {
  const arca = await startArca(newDataDir(), settings, settings.workers);
  console.log(
    typeof settings.hsm === 'string' ? `bench: no HSM scenarios: ${settings.hsm}` : `bench: HSM scenarios on ${settings.hsm.description}`,
  );
  const scenarios = (await apiScenarios(arca, settings.hsm)).filter(
    (s) => settings.only === undefined || s.name.toLowerCase().includes(settings.only.toLowerCase()),
  );
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
  return reportApi(settings, ceiling, rows, memory, rssByScenario);
}

/** 1 worker against 2: the same AES scenarios on two fresh servers. */
export async function workersMode(settings: Settings, loadgen: Loadgen): Promise<Record<string, unknown>> {
  console.log(`bench: workers, 1 against 2, ${settings.connections} connections, ${settings.durationMs / 1000} s per scenario`);
  const ceiling = await measureCeiling(loadgen, settings);
  const byWorkers: Record<string, Row[]> = {};
  for (const workers of [1, 2]) {
    console.log(` ${workers} worker(s):`);
    const arca = await startArca(newDataDir(), settings, workers);
    console.log(
      typeof settings.hsm === 'string' ? `bench: no HSM scenarios: ${settings.hsm}` : `bench: HSM scenarios on ${settings.hsm.description}`,
    );
    const scenarios = (await apiScenarios(arca, settings.hsm)).filter((s) => s.keySpec === KEY_SPEC.aes);
    const rows: Row[] = [];
    for (const scenario of scenarios)
      rows.push(await runScenario(loadgen, arca, { ...scenario, name: `${scenario.name}, ${workers} worker(s)` }, settings, ceiling.rps));
    byWorkers[String(workers)] = rows;
    arca.child.kill('SIGTERM');
  }
  return reportWorkers(settings, ceiling, byWorkers);
}

/**
 * `--keys N` keys created through the API (each CreateKey a durable commit), the time a server
 * takes to start on that store, then Encrypt over keys drawn at random (so most requests miss the
 * key cache at first).
 */
export async function scaleMode(settings: Settings, loadgen: Loadgen): Promise<Record<string, unknown>> {
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
  console.log(
    `  CreateKey: ${keyIds.length} keys at ${fmt(created.rps, 0)} req/s (p50 ${fmt(created.p50Ms, 2)} ms, p99 ${fmt(created.p99Ms, 2)} ms), ${created.errors} errors`,
  );
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
  return reportScale(settings, keyIds.length, created, arca.startMs, encrypt, memory);
}
