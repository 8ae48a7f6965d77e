import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino, type Logger } from 'pino';
import { discardSnapshot, REPLAY_GUARD_SNAPSHOT_FILE_NAME, saveReplayGuard } from '../api/signature/replay-guard-file.js';
import type { ReplayGuard } from '../api/signature/replay-guard.js';
import { systemClock } from '../domain/ports.js';
import { openReplayGuardFor, prepareDataDirectory, type ServerOptions } from '../main.js';
import { answerNonceRequest, isNonceRequest } from './nonce-channel.js';
import { encodeWorkerOptions, WORKER_INDEX_VARIABLE, WORKER_OPTIONS_VARIABLE } from './worker-options.js';

/** A worker that dies is replaced, but not faster than this, so a worker that cannot start does not spin. */
const RESTART_DELAY_MS = 1000;
/** How long `close()` waits for the workers to finish their requests before it kills them. */
const SHUTDOWN_GRACE_MS = 30_000;

export interface RunningCluster {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * `arca server --workers N`: N worker processes serve one port (Node's cluster hands each new
 * connection to the next worker in turn). This primary serves no request; it
 * - prepares the data directory once (root key, schema, administrator key), before any worker;
 * - owns the one replay guard (the same snapshot rules as a single process, see startServer):
 *   every worker records each verified nonce here over IPC, so a replay to another worker fails;
 * - replaces a worker that dies (worker 0, which runs the background jobs, comes back as 0);
 * - on close, stops the workers (each finishes its requests in flight), then saves the guard.
 * The workers share the SQLite store as separate processes do (WAL, conditional writes); their
 * key caches are their own, with the same one-second freshness as one process's.
 */
export async function startCluster(options: ServerOptions, workerCount: number): Promise<RunningCluster> {
  const logger = options.logger ?? pino({ level: options.environment.ARCA_LOG_LEVEL ?? 'info' });
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clock = options.clock ?? systemClock;
  const snapshotPath = join(options.dataDir, REPLAY_GUARD_SNAPSHOT_FILE_NAME);
  const replayGuard = openReplayGuardFor(options, clock, logger);
  try {
    await prepareDataDirectory(options, announce, logger);
  } catch (error) {
    saveReplayGuard(replayGuard, snapshotPath, clock, logger);
    throw error;
  }
  discardSnapshot(snapshotPath);
  await sleep(Math.min(1000, Math.max(0, replayGuard.rememberedSinceMs - clock.now())));

  const workers = new WorkerSet(options, replayGuard, logger);
  let port: number;
  try {
    port = await workers.start(workerCount);
  } catch (error) {
    await workers.stop();
    throw error;
  }
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  announce(`arca listening on ${url} (${workerCount} workers)`);
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close: () =>
      (closing ??= workers.stop().then(() => {
        saveReplayGuard(replayGuard, snapshotPath, clock, logger);
      })),
  };
}

class WorkerSet {
  readonly #options: ServerOptions;
  readonly #guard: ReplayGuard;
  readonly #logger: Logger;
  readonly #workers = new Map<number, Worker>();
  #stopping = false;

  constructor(options: ServerOptions, guard: ReplayGuard, logger: Logger) {
    this.#options = options;
    this.#guard = guard;
    this.#logger = logger;
    cluster.setupPrimary({ exec: join(import.meta.dirname, 'worker-main.js'), args: [] });
  }

  /** Forks the workers and resolves with the port once every one listens. */
  async start(count: number): Promise<number> {
    const ports = await Promise.all(Array.from({ length: count }, (_, index) => this.#fork(index)));
    const port = ports[0] ?? this.#options.port;
    if (ports.some((p) => p !== port)) throw new Error(`workers listen on different ports: ${ports.join(', ')}`);
    return port;
  }

  /** Resolves with the port the worker listens on; rejects if it exits first. */
  #fork(index: number): Promise<number> {
    const { host, port, dataDir, region, accountId, minRotationIntervalSeconds, jobIntervalMs, rateLimit, pkcs11 } = this.#options;
    const worker = cluster.fork({
      [WORKER_INDEX_VARIABLE]: String(index),
      [WORKER_OPTIONS_VARIABLE]: encodeWorkerOptions({
        host,
        port,
        dataDir,
        region,
        accountId,
        ...(minRotationIntervalSeconds === undefined ? {} : { minRotationIntervalSeconds }),
        ...(jobIntervalMs === undefined ? {} : { jobIntervalMs }),
        ...(rateLimit === undefined ? {} : { rateLimit }),
        ...(pkcs11 === undefined ? {} : { pkcs11 }),
      }),
    });
    this.#workers.set(index, worker);
    worker.on('message', (message: unknown) => {
      if (isNonceRequest(message)) worker.send(answerNonceRequest(this.#guard, message));
    });
    return new Promise((resolve, reject) => {
      let listening = false;
      worker.on('message', (message: unknown) => {
        const m = message as { type?: unknown; port?: unknown };
        if (m.type === 'listening' && typeof m.port === 'number') {
          listening = true;
          this.#logger.info({ worker: index, workerPid: worker.process.pid, port: m.port }, 'worker listening');
          resolve(m.port);
        }
      });
      worker.on('exit', (code, signal) => {
        if (this.#workers.get(index) === worker) this.#workers.delete(index);
        if (!listening) {
          reject(new Error(`worker ${index} exited (${signal ?? code}) before it listened`));
          return;
        }
        if (this.#stopping) return;
        this.#logger.error({ worker: index, workerPid: worker.process.pid, code, signal }, 'worker died; starting another');
        setTimeout(() => {
          if (!this.#stopping) this.#fork(index).catch((error: unknown) => this.#logger.error({ worker: index, err: error }, 'worker did not restart'));
        }, RESTART_DELAY_MS).unref();
      });
    });
  }

  /** Asks every worker to stop (they finish their requests in flight) and waits for them. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const exits = [...this.#workers.values()].map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) {
            resolve();
            return;
          }
          const killer = setTimeout(() => worker.process.kill('SIGKILL'), SHUTDOWN_GRACE_MS);
          worker.once('exit', () => {
            clearTimeout(killer);
            resolve();
          });
          if (worker.isConnected()) worker.send({ type: 'shutdown' });
          else worker.process.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
  }
}
