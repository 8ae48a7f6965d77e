// The load generator: a separate process (forked by bench/harness.ts) so that it never shares an
// event loop with a server it measures. For each job it keeps `connections` keep-alive
// connections busy, each with one request in flight at a time (fixed concurrency), signs every
// request itself, and records each latency in a preallocated array. Non-200 responses and
// transport errors count as errors. A warm-up period runs first and is not recorded.
//
// It speaks HTTP/1.1 over raw sockets rather than through node:http's client: that client costs
// more CPU per request than the bare server it is meant to measure, so with it the "ceiling" was
// the generator's own limit (about 19,000 requests/s here) and every ratio was flattered. The
// request is one preassembled buffer, and a response is read just far enough to know its status
// and where it ends (Content-Length; both servers always send it).
import { connect, type Socket } from 'node:net';
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

const HEADER_END = Buffer.from('\r\n\r\n');
const KEY_ID = /"KeyId":"([^"]+)"/;
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;

/** One parsed response: status and the offset just past its body, or undefined if incomplete. */
function parseResponse(buffer: Buffer): { status: number; end: number; body: Buffer } | undefined {
  const headerEnd = buffer.indexOf(HEADER_END);
  if (headerEnd < 0) return undefined;
  const head = buffer.toString('latin1', 0, headerEnd);
  const status = Number(head.slice(9, 12));
  const length = CONTENT_LENGTH.exec(head)?.[1];
  if (length === undefined) throw new Error(`response without Content-Length: ${head.slice(0, 200)}`);
  const end = headerEnd + 4 + Number(length);
  if (buffer.length < end) return undefined;
  return { status, end, body: buffer.subarray(headerEnd + 4, end) };
}

/** Builds the bytes of one request: a signed POST for Arca, or a plain GET for the ceiling. */
function requestBuilder(job: LoadJob): () => Buffer {
  if (job.signed === undefined) {
    const fixed = Buffer.from(`GET / HTTP/1.1\r\nhost: ${job.host}\r\n\r\n`, 'latin1');
    return () => fixed;
  }
  const { credentials, action, params, randomKeyIds } = job.signed;
  const signer = new ActionSigner(credentials, job.host, action, params);
  const render = (path: string, headers: Record<string, string>): Buffer => {
    let text = `POST ${path} HTTP/1.1\r\n`;
    for (const [name, value] of Object.entries(headers)) text += `${name}: ${value}\r\n`;
    return Buffer.from(`${text}\r\n`, 'latin1');
  };
  if (randomKeyIds !== undefined && randomKeyIds.length > 0) {
    return () => {
      const keyId = randomKeyIds[Math.floor(Math.random() * randomKeyIds.length)] ?? '';
      const { path, headers } = signer.request({ ...params, KeyId: keyId });
      return render(path, headers);
    };
  }
  return () => render(signer.path, signer.headers());
}

function runJob(job: LoadJob): Promise<LoadResult> {
  const nextRequest = requestBuilder(job);
  const latencies = new Latencies();
  let errors = 0;
  let firstError: string | undefined;
  let sent = 0;
  const maxRequests = job.maxRequests ?? Infinity;
  const collected: string[] | undefined = job.signed?.collectKeyIds === true ? [] : undefined;
  const start = performance.now();
  let cpuAtRecordStart: NodeJS.CpuUsage | undefined;
  const recordFrom = start + job.warmupMs;
  const end = recordFrom + job.durationMs;

  const fail = (message: string): void => {
    if (performance.now() >= recordFrom) {
      errors++;
      firstError ??= message;
    }
  };

  /** Drives one connection until the end time; reconnects after a transport error. */
  const drive = (): Promise<void> =>
    new Promise((resolve) => {
      let socket: Socket;
      let pending: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      let finished = false;

      const send = (): void => {
        if (performance.now() >= end || sent >= maxRequests) {
          finished = true;
          socket.end();
          resolve();
          return;
        }
        sent++;
        sentAt = performance.now();
        if (cpuAtRecordStart === undefined && sentAt >= recordFrom) cpuAtRecordStart = process.cpuUsage();
        socket.write(nextRequest());
      };

      const open = (): void => {
        pending = Buffer.alloc(0);
        socket = connect({ host: '127.0.0.1', port: job.port, noDelay: true }, send);
        socket.on('data', (chunk: Buffer) => {
          pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
          let parsed;
          try {
            parsed = parseResponse(pending);
          } catch (error) {
            fail(error instanceof Error ? error.message : String(error));
            socket.destroy();
            return;
          }
          if (parsed === undefined) return;
          const doneAt = performance.now();
          if (sentAt >= recordFrom && doneAt <= end) {
            latencies.push(doneAt - sentAt);
            if (parsed.status !== 200) {
              errors++;
              firstError ??= `HTTP ${parsed.status}: ${parsed.body.toString('utf8').slice(0, 300)}`;
            } else if (collected !== undefined) {
              const keyId = KEY_ID.exec(parsed.body.toString('utf8'))?.[1];
              if (keyId !== undefined) collected.push(keyId);
            }
          }
          pending = pending.subarray(parsed.end);
          send();
        });
        socket.on('error', (error) => fail(error.message));
        socket.on('close', () => {
          if (finished) return;
          if (performance.now() >= end || sent >= maxRequests) {
            resolve();
            return;
          }
          fail('connection closed by the server');
          setTimeout(open, 10);
        });
      };
      open();
    });

  return Promise.all(Array.from({ length: job.connections }, drive)).then(() => {
    const cpu = process.cpuUsage(cpuAtRecordStart);
    const { p50Ms, p99Ms, maxMs } = latencies.summary();
    // A run cut short by maxRequests is measured over the time it took.
    const seconds = (Math.min(end, performance.now()) - recordFrom) / 1000;
    return {
      name: job.name,
      requests: latencies.length,
      rps: (latencies.length - errors) / seconds,
      p50Ms,
      p99Ms,
      maxMs,
      errors,
      loadgenCpuUsPerRequest: latencies.length > 0 ? (cpu.user + cpu.system) / latencies.length : 0,
      ...(collected === undefined ? {} : { keyIds: collected }),
      ...(firstError === undefined ? {} : { firstError }),
    };
  });
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
