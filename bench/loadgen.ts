// The load generator: a separate process (forked by bench/run.ts) so that it never shares an
// event loop with a server it measures. For each job it keeps `connections` keep-alive
// connections busy, each with one request in flight at a time (fixed concurrency), signs every
// request itself, and records each latency in a preallocated array. Non-200 responses and
// transport errors count as errors. A warm-up period runs first and is not recorded.
import { Agent, request } from 'node:http';
import { ActionSigner } from './signer.js';
import type { FromLoadgen, LoadJob, LoadResult, ToLoadgen } from './protocol.js';

function reply(message: FromLoadgen): void {
  process.send?.(message);
}

class Latencies {
  private values = new Float64Array(1 << 20);
  length = 0;

  push(ms: number): void {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = ms;
  }

  /** Nearest-rank percentiles over the recorded values (sorts them in place). */
  summary(): { p50Ms: number; p99Ms: number; maxMs: number } {
    if (this.length === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0 };
    const sorted = this.values.subarray(0, this.length).sort();
    const at = (q: number): number => sorted[Math.min(this.length - 1, Math.max(0, Math.ceil(q * this.length) - 1))] ?? 0;
    return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
  }
}

async function runJob(job: LoadJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections, maxFreeSockets: job.connections });
  const signer = job.signed ? new ActionSigner(job.signed.credentials, job.host, job.signed.action, job.signed.params) : undefined;
  const method = signer ? 'POST' : 'GET';
  const path = signer ? signer.path : '/';
  const plainHeaders = { host: job.host };
  const latencies = new Latencies();
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const recordFrom = start + job.warmupMs;
  const end = recordFrom + job.durationMs;

  const once = (): Promise<void> =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = request(
        { agent, hostname: '127.0.0.1', port: job.port, method, path, headers: signer ? signer.headers() : plainHeaders, setHost: false },
        (res) => {
          const status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => {
            if (status !== 200 && firstError === undefined) chunks.push(chunk);
          });
          res.on('end', () => {
            const t1 = performance.now();
            if (t0 >= recordFrom && t1 <= end) {
              latencies.push(t1 - t0);
              if (status !== 200) {
                errors++;
                firstError ??= `HTTP ${status}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`;
              }
            }
            resolve();
          });
          res.on('error', () => resolve());
        },
      );
      req.on('error', (error) => {
        if (performance.now() >= recordFrom) {
          errors++;
          firstError ??= error.message;
        }
        resolve();
      });
      req.end();
    });

  const loop = async (): Promise<void> => {
    while (performance.now() < end) await once();
  };
  await Promise.all(Array.from({ length: job.connections }, loop));
  agent.destroy();
  const { p50Ms, p99Ms, maxMs } = latencies.summary();
  const seconds = job.durationMs / 1000;
  return {
    name: job.name,
    requests: latencies.length,
    rps: (latencies.length - errors) / seconds,
    p50Ms,
    p99Ms,
    maxMs,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
  };
}

process.on('message', (message: ToLoadgen) => {
  if (message.type === 'exit') {
    process.exit(0);
  }
  runJob(message.job).then(
    (result) => reply({ type: 'result', result }),
    (error: unknown) => reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
});
// The driver going away (crash, signal) must not leave this process running.
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready' });
