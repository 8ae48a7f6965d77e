// Two attacks without credentials, measured against the compiled server on 127.0.0.1:
// `node --import tsx scripts/attack.ts [--phase all|cpu|latency|slow] [--json out.json]`.
//
// 1. Parameters before authentication (docs/reliability.md, "Attacks before authentication"): a
//    255 KiB form body of about 52,000 tiny parameters, signed by nobody (an access key id that
//    does not exist). `cpu` sends `--cpu-requests` of them one after another and reports the
//    server's CPU time per request (utime + stime from /proc); `latency` measures a legitimate
//    client's sequential signed requests (median, p90) first alone, then while `--connections`
//    keep-alive connections send `--rate` attack requests a second, for `--duration` seconds each.
// 2. Slow bodies (`slow`): `--slow-connections` connections each send the headers of a 256 KiB
//    POST and 250 KiB of its body, then stall. It reports the server's RSS and how many of the
//    connections the server still holds over `--slow-seconds`, and whether a legitimate request
//    is served meanwhile and afterwards.
//
// `"--server-args=--max-connections 20 --request-timeout 2s"` passes flags to `arca server` (the
// `=` form, since the value starts with a dash). Every loop is bounded by a count or a duration,
// and nothing leaves 127.0.0.1. Linux only (/proc).
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

import { formatTimestamp, newNonce, signAcs3, type Credentials, type PreparedRequest } from '../test/support/acs3-signer.js';
import { ensureBuilt, killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../test/support/arca-process.js';
import { newDataDir, removeDataDirs } from '../test/support/data-dirs.js';

const { values } = parseArgs({
  options: {
    phase: { type: 'string', default: 'all' },
    'cpu-requests': { type: 'string', default: '40' },
    duration: { type: 'string', default: '10' },
    rate: { type: 'string', default: '16' },
    connections: { type: 'string', default: '4' },
    'slow-connections': { type: 'string', default: '600' },
    'slow-seconds': { type: 'string', default: '40' },
    'server-args': { type: 'string', default: '' },
    // The variant that remains under the bounds: at most this many parameters, from a key that exists.
    'attack-parameters': { type: 'string' },
    'known-key': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

function positive(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} takes a positive whole number`);
  return value;
}

const phase = values.phase;
const cpuRequests = positive(values['cpu-requests'], '--cpu-requests');
const durationS = positive(values.duration, '--duration');
const attackRate = positive(values.rate, '--rate');
const attackConnections = positive(values.connections, '--connections');
const slowConnections = positive(values['slow-connections'], '--slow-connections');
const slowSeconds = positive(values['slow-seconds'], '--slow-seconds');
const serverArgs = values['server-args'].split(' ').filter((arg) => arg !== '');
const attackParameters =
  values['attack-parameters'] === undefined ? undefined : positive(values['attack-parameters'], '--attack-parameters');
/** The access key id the attack requests claim: one that does not exist, or with --known-key the server's own (set in main). */
let claimedAccessKeyId = 'LTAInobodyAtAll0000';

const ATTACK_BODY_BYTES = 255 * 1024;
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * The 255 KiB form body: the signature 1.0 parameters of an unknown key (or the known one, with a
 * wrong signature), then tiny parameters `0=&1=&…` (base 36), as many as fit or `--attack-parameters` in all.
 */
function attackBody(): { body: Buffer; parameters: number } {
  const common = [
    'Action=DescribeRegions',
    'Version=2016-01-20',
    `AccessKeyId=${claimedAccessKeyId}`,
    'SignatureMethod=HMAC-SHA1',
    'SignatureVersion=1.0',
    `SignatureNonce=${newNonce()}`,
    `Timestamp=${encodeURIComponent(formatTimestamp(Date.now()))}`,
    'Signature=bm90IGEgc2lnbmF0dXJl',
  ];
  const parts = [...common];
  let length = parts.join('&').length;
  for (let index = 0; ; index += 1) {
    const part = `${index.toString(36)}=`;
    if (length + 1 + part.length > ATTACK_BODY_BYTES || parts.length === attackParameters) break;
    parts.push(part);
    length += 1 + part.length;
  }
  return { body: Buffer.from(parts.join('&'), 'utf8'), parameters: parts.length };
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

function sendVia(agent: Agent | undefined, port: number, prepared: PreparedRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...prepared.headers, 'content-length': String(prepared.body.length) };
    if (agent === undefined) headers.connection = 'close';
    const req = httpRequest(
      { agent: agent ?? false, hostname: '127.0.0.1', port, method: prepared.method, path: prepared.path, headers, setHost: false },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(prepared.body);
  });
}

function attackRequest(host: string): PreparedRequest {
  return { method: 'POST', path: '/', headers: { host, 'content-type': 'application/x-www-form-urlencoded' }, body: attackBody().body };
}

function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which is in parentheses and may hold spaces): utime is the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

async function measureCpu(arca: ArcaProcess, pid: number, credentials: Credentials): Promise<Record<string, unknown>> {
  const statuses = new Map<string, number>();
  const before = cpuMsOf(pid);
  for (let i = 0; i < cpuRequests; i += 1) {
    const answer = await sendVia(undefined, arca.port, attackRequest(arca.endpoint));
    const code = `${answer.status} ${(JSON.parse(answer.body) as { Code?: string }).Code ?? ''}`;
    statuses.set(code, (statuses.get(code) ?? 0) + 1);
  }
  const attackCpuMs = (cpuMsOf(pid) - before) / cpuRequests;
  const legitBefore = cpuMsOf(pid);
  const legitCount = cpuRequests * 5;
  for (let i = 0; i < legitCount; i += 1) {
    await sendVia(undefined, arca.port, signAcs3({ credentials, host: arca.endpoint, action: 'DescribeRegions' }));
  }
  const legitCpuMs = (cpuMsOf(pid) - legitBefore) / legitCount;
  return {
    attackParameters: attackBody().parameters,
    attackBodyBytes: attackBody().body.length,
    attackRequests: cpuRequests,
    attackAnswers: Object.fromEntries(statuses),
    serverCpuMsPerAttackRequest: round(attackCpuMs, 2),
    serverCpuMsPerSignedDescribeRegions: round(legitCpuMs, 2),
  };
}

/** A legitimate client's sequential signed requests for `durationS` seconds: their latencies in ms. */
async function legitimateLatencies(arca: ArcaProcess, credentials: Credentials): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  const deadline = performance.now() + durationS * 1000;
  try {
    while (performance.now() < deadline) {
      const sentAt = performance.now();
      const answer = await sendVia(agent, arca.port, signAcs3({ credentials, host: arca.endpoint, action: 'DescribeRegions' }));
      if (answer.status !== 200) throw new Error(`legitimate request answered ${answer.status}: ${answer.body}`);
      latencies.push(performance.now() - sentAt);
    }
  } finally {
    agent.destroy();
  }
  return latencies;
}

/** Sends attack requests at `attackRate` a second over `attackConnections` keep-alive connections until `stop` resolves. */
async function attackUntil(arca: ArcaProcess, stop: Promise<unknown>): Promise<{ sent: number; answered: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: attackConnections });
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  const inFlight: Promise<unknown>[] = [];
  let sent = 0;
  let answered = 0;
  const started = performance.now();
  while (!stopped) {
    const due = started + (sent * 1000) / attackRate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (stopped) break;
    sent += 1;
    inFlight.push(
      sendVia(agent, arca.port, attackRequest(arca.endpoint)).then(
        () => (answered += 1),
        () => undefined,
      ),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { sent, answered };
}

async function measureLatency(arca: ArcaProcess, credentials: Credentials): Promise<Record<string, unknown>> {
  const alone = await legitimateLatencies(arca, credentials);
  const underAttack = legitimateLatencies(arca, credentials);
  const attack = await attackUntil(arca, underAttack);
  const attacked = await underAttack;
  return {
    durationS,
    attackRatePerSecond: attackRate,
    attackConnections,
    attackSent: attack.sent,
    attackAnswered: attack.answered,
    alone: { requests: alone.length, p50Ms: round(percentile(alone, 0.5), 2), p90Ms: round(percentile(alone, 0.9), 2) },
    underAttack: { requests: attacked.length, p50Ms: round(percentile(attacked, 0.5), 2), p90Ms: round(percentile(attacked, 0.9), 2) },
  };
}

/** Opens one connection that sends a 256 KiB POST's headers and 250 KiB of its body, then stalls. */
function stallingConnection(arca: ArcaProcess): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: arca.port });
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.once('connect', () => {
      socket.write(
        `POST / HTTP/1.1\r\nhost: ${arca.endpoint}\r\ncontent-type: application/octet-stream\r\ncontent-length: ${256 * 1024}\r\n\r\n`,
      );
      socket.write(Buffer.alloc(250 * 1024, 0x61), () => resolve(socket));
    });
    // A connection the server drops at once (over its cap) resolves too.
    socket.once('close', () => resolve(socket));
  });
}

async function legitimateOnce(arca: ArcaProcess, credentials: Credentials): Promise<string> {
  try {
    const answer = await sendVia(undefined, arca.port, signAcs3({ credentials, host: arca.endpoint, action: 'DescribeRegions' }));
    return String(answer.status);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

async function measureSlowBodies(arca: ArcaProcess, pid: number, credentials: Credentials): Promise<Record<string, unknown>> {
  const rssBefore = rssMbOf(pid);
  const sockets: Socket[] = [];
  for (let i = 0; i < slowConnections; i += 1) sockets.push(await stallingConnection(arca));
  const open = (): number => sockets.filter((socket) => !socket.destroyed && !socket.readableEnded).length;
  const samples: Array<{ second: number; rssMb: number; openConnections: number }> = [];
  const started = performance.now();
  const legitimateDuring = await legitimateOnce(arca, credentials);
  let peakRss = rssMbOf(pid);
  for (let second = 0; second <= slowSeconds; second += 1) {
    const rssMb = rssMbOf(pid);
    peakRss = Math.max(peakRss, rssMb);
    samples.push({ second, rssMb: round(rssMb), openConnections: open() });
    const next = started + (second + 1) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  const legitimateAfter = await legitimateOnce(arca, credentials);
  for (const socket of sockets) socket.destroy();
  return {
    slowConnections,
    rssMbBefore: round(rssBefore),
    rssMbPeak: round(peakRss),
    rssMbAtEnd: samples.at(-1)?.rssMb,
    openAfter1s: samples[1]?.openConnections,
    openAtEnd: samples.at(-1)?.openConnections,
    legitimateRequestWhileStalled: legitimateDuring,
    legitimateRequestAfter: legitimateAfter,
    samples: samples.filter((sample) => sample.second % 5 === 0),
  };
}

async function main(): Promise<void> {
  ensureBuilt();
  const credentials = randomCredentials('attack');
  if (values['known-key']) claimedAccessKeyId = credentials.accessKeyId;
  const arca = await spawnArca({ dataDir: newDataDir('arca-attack-'), credentials, env: { ARCA_LOG_LEVEL: 'warn' }, args: serverArgs });
  const pid = arca.child.pid;
  if (pid === undefined) throw new Error('no server pid');
  const report: Record<string, unknown> = { serverArgs, claimedAccessKey: values['known-key'] ? 'known' : 'unknown' };
  try {
    if (phase === 'all' || phase === 'cpu') report.cpu = await measureCpu(arca, pid, credentials);
    if (phase === 'all' || phase === 'latency') report.latency = await measureLatency(arca, credentials);
    if (phase === 'all' || phase === 'slow') report.slow = await measureSlowBodies(arca, pid, credentials);
  } finally {
    await arca.stop();
  }
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
}

try {
  await main();
} finally {
  killAllArcas();
  removeDataDirs();
}
