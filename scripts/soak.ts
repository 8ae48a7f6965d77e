// The soak: `npm run soak -- --duration 60 [--concurrency 64] [--json soak.json]`.
//
// It builds dist/ if it is stale, starts the compiled server (`arca server`, SQLite in a temporary
// data directory, ARCA_LOG_LEVEL=warn so the audit lines do not flood the pipe) and keeps
// `--concurrency` keep-alive connections busy for `--duration` seconds with a mix of signed
// requests: Encrypt, Decrypt, GenerateDataKey, ReEncrypt (AES and SM4), DescribeKey, ListKeys,
// CreateKey, and refusals that must stay refusals (a tampered blob, a wrong context). Each second
// it records requests, unexpected answers, p50/p99 latency and the server's RSS (from /proc). It
// prints one line per window and a summary, and exits 1 when any answer was unexpected or RSS
// did not stay flat: the median RSS of the last third of the run more than 15 % (and 16 MB) above
// that of the middle third (the first third is warm-up).
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { parseArgs } from 'node:util';

import { signAcs3, type Credentials, type PreparedRequest } from '../test/support/acs3-signer.js';
import { ensureBuilt, killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../test/support/arca-process.js';
import { newDataDir, removeDataDirs } from '../test/support/data-dirs.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '64' },
    window: { type: 'string', default: '5' },
    json: { type: 'string' },
  },
});
const durationS = positive(values.duration, '--duration');
const concurrency = positive(values.concurrency, '--concurrency');
const windowS = positive(values.window, '--window');

function positive(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} takes a positive whole number`);
  return value;
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function send(arca: ArcaProcess, prepared: PreparedRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...prepared.headers, 'content-length': String(prepared.body.length) };
    const req = httpRequest(
      { agent, hostname: '127.0.0.1', port: arca.port, method: prepared.method, path: prepared.path, headers, setHost: false },
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

async function call(arca: ArcaProcess, credentials: Credentials, action: string, params: Record<string, string>): Promise<Answer> {
  return send(arca, signAcs3({ credentials, host: arca.endpoint, action, query: params }));
}

/** The few response fields the set-up reads. */
interface SetupAnswer {
  readonly KeyMetadata: { readonly KeyId: string };
  readonly CiphertextBlob: string;
}

async function callOk(
  arca: ArcaProcess,
  credentials: Credentials,
  action: string,
  params: Record<string, string> = {},
): Promise<SetupAnswer> {
  const answer = await call(arca, credentials, action, params);
  if (answer.status !== 200) throw new Error(`${action}: HTTP ${answer.status} ${answer.body}`);
  return JSON.parse(answer.body) as SetupAnswer;
}

interface Scenario {
  readonly name: string;
  readonly weight: number;
  readonly params: () => Record<string, string>;
  readonly action: string;
  /** The status a correct server answers. */
  readonly expect: number;
}

interface WindowStats {
  requests: number;
  unexpected: number;
  latenciesMs: number[];
  rssMb: number[];
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

async function main(): Promise<number> {
  ensureBuilt();
  const credentials = randomCredentials('soak');
  const arca = await spawnArca({ dataDir: newDataDir('arca-soak-'), credentials, env: { ARCA_LOG_LEVEL: 'warn' } });
  const pid = arca.child.pid;
  if (pid === undefined) throw new Error('no server pid');

  const aes = (await callOk(arca, credentials, 'CreateKey')).KeyMetadata.KeyId;
  const sm4 = (await callOk(arca, credentials, 'CreateKey', { KeySpec: 'Aliyun_SM4' })).KeyMetadata.KeyId;
  const plaintext = 'soak '.repeat(50);
  const blobs = {
    aes: (await callOk(arca, credentials, 'Encrypt', { KeyId: aes, Plaintext: plaintext, EncryptionContext: '{"run":"soak"}' }))
      .CiphertextBlob,
    sm4: (await callOk(arca, credentials, 'Encrypt', { KeyId: sm4, Plaintext: plaintext })).CiphertextBlob,
  };
  const tampered = Buffer.from(blobs.aes, 'base64');
  tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;

  const scenarios: Scenario[] = [
    {
      name: 'Encrypt AES',
      weight: 16,
      action: 'Encrypt',
      expect: 200,
      params: () => ({ KeyId: aes, Plaintext: plaintext, EncryptionContext: '{"run":"soak"}' }),
    },
    { name: 'Encrypt SM4', weight: 12, action: 'Encrypt', expect: 200, params: () => ({ KeyId: sm4, Plaintext: plaintext }) },
    {
      name: 'Decrypt AES',
      weight: 16,
      action: 'Decrypt',
      expect: 200,
      params: () => ({ CiphertextBlob: blobs.aes, EncryptionContext: '{"run":"soak"}' }),
    },
    { name: 'Decrypt SM4', weight: 12, action: 'Decrypt', expect: 200, params: () => ({ CiphertextBlob: blobs.sm4 }) },
    { name: 'GenerateDataKey', weight: 12, action: 'GenerateDataKey', expect: 200, params: () => ({ KeyId: aes }) },
    {
      name: 'ReEncrypt',
      weight: 4,
      action: 'ReEncrypt',
      expect: 200,
      params: () => ({ CiphertextBlob: blobs.sm4, DestinationKeyId: aes }),
    },
    { name: 'DescribeKey', weight: 10, action: 'DescribeKey', expect: 200, params: () => ({ KeyId: sm4 }) },
    { name: 'ListKeys', weight: 4, action: 'ListKeys', expect: 200, params: () => ({ PageSize: '20' }) },
    { name: 'CreateKey', weight: 2, action: 'CreateKey', expect: 200, params: () => ({ Description: 'soak' }) },
    {
      name: 'Decrypt tampered',
      weight: 6,
      action: 'Decrypt',
      expect: 400,
      params: () => ({ CiphertextBlob: tampered.toString('base64'), EncryptionContext: '{"run":"soak"}' }),
    },
    {
      name: 'Decrypt wrong context',
      weight: 6,
      action: 'Decrypt',
      expect: 400,
      params: () => ({ CiphertextBlob: blobs.aes, EncryptionContext: '{"run":"other"}' }),
    },
  ];
  const totalWeight = scenarios.reduce((sum, s) => sum + s.weight, 0);
  const pick = (): Scenario => {
    let r = Math.random() * totalWeight;
    for (const scenario of scenarios) {
      r -= scenario.weight;
      if (r < 0) return scenario;
    }
    return scenarios[0]!;
  };

  const windows: WindowStats[] = [];
  const newWindow = (): WindowStats => ({ requests: 0, unexpected: 0, latenciesMs: [], rssMb: [] });
  let current = newWindow();
  const samples: Array<{ second: number; rssMb: number }> = [];
  const unexpectedExamples: string[] = [];
  const started = performance.now();
  const deadline = started + durationS * 1000;

  const sampler = setInterval(() => {
    const second = Math.round((performance.now() - started) / 1000);
    const rssMb = rssMbOf(pid);
    samples.push({ second, rssMb });
    current.rssMb.push(rssMb);
    if (second % windowS === 0) {
      windows.push(current);
      const sorted = [...current.latenciesMs].sort((a, b) => a - b);
      process.stdout.write(
        `t=${String(second).padStart(4)}s  req/s ${String(Math.round(current.requests / windowS)).padStart(6)}  unexpected ${String(current.unexpected).padStart(4)}` +
          `  p50 ${percentile(sorted, 0.5).toFixed(1).padStart(6)} ms  p99 ${percentile(sorted, 0.99).toFixed(1).padStart(6)} ms  rss ${rssMb.toFixed(1)} MB\n`,
      );
      current = newWindow();
    }
  }, 1000);

  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const scenario = pick();
      const sentAt = performance.now();
      const window = current;
      try {
        const answer = await call(arca, credentials, scenario.action, scenario.params());
        if (answer.status !== scenario.expect) {
          window.unexpected += 1;
          if (unexpectedExamples.length < 5)
            unexpectedExamples.push(`${scenario.name}: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
        }
      } catch (error) {
        window.unexpected += 1;
        if (unexpectedExamples.length < 5) unexpectedExamples.push(`${scenario.name}: ${String(error)}`);
      }
      window.requests += 1;
      window.latenciesMs.push(performance.now() - sentAt);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  clearInterval(sampler);
  // The requests of the last, partial window still count.
  windows.push(current);
  agent.destroy();

  const health = await new Promise<number>((resolve) => {
    httpRequest({ hostname: '127.0.0.1', port: arca.port, path: '/health' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', () => resolve(0))
      .end();
  });
  const exit = await arca.stop();

  const requests = windows.reduce((sum, w) => sum + w.requests, 0);
  const unexpected = windows.reduce((sum, w) => sum + w.unexpected, 0);
  const third = Math.floor(samples.length / 3);
  const middleRss = median(samples.slice(third, 2 * third).map((s) => s.rssMb));
  const lastRss = median(samples.slice(2 * third).map((s) => s.rssMb));
  const rssGrowthMb = lastRss - middleRss;
  const rssFlat = rssGrowthMb <= Math.max(16, 0.15 * middleRss);
  const all = windows.flatMap((w) => w.latenciesMs).sort((a, b) => a - b);
  const summary = {
    durationS,
    concurrency,
    requests,
    requestsPerSecond: Math.round(requests / durationS),
    unexpected,
    unexpectedExamples,
    p50Ms: Number(percentile(all, 0.5).toFixed(2)),
    p99Ms: Number(percentile(all, 0.99).toFixed(2)),
    rssMb: {
      first: samples[0]?.rssMb,
      middleThirdMedian: middleRss,
      lastThirdMedian: lastRss,
      max: Math.max(...samples.map((s) => s.rssMb)),
      growthMb: Number(rssGrowthMb.toFixed(1)),
    },
    rssFlat,
    healthAfter: health,
    serverExit: exit,
    samples,
  };
  process.stdout.write(`${JSON.stringify({ ...summary, samples: undefined }, null, 2)}\n`);
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
  return unexpected === 0 && rssFlat && health === 200 && exit.code === 0 ? 0 : 1;
}

try {
  process.exitCode = await main();
} finally {
  killAllArcas();
  removeDataDirs();
}
