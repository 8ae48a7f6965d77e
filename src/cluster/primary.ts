import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ReplayGuard } from '../api/signature/replay-guard.js';
import { prepareDataDirectory } from '../bootstrap/administrator.js';
import { reservePort } from '../bootstrap/port-reservation.js';
import { ReplayGuardLifeCycle } from '../bootstrap/replay-guard-life-cycle.js';
import { resolvePlumbing, serverUrl, type ServerRuntime } from '../bootstrap/runtime.js';
import type { ArcaConfig } from '../config/arca-config.js';
import { startOpsServer, type OpsServer } from '../api/ops-server.js';
import { Readiness } from '../api/readiness.js';
import { ReadinessCheckName } from '../bootstrap/observability.js';
import type { Plumbing } from '../bootstrap/runtime.js';
import { isInvalidationMessage, type InvalidationMessage } from './invalidation-channel.js';
import { ClusterMetrics, isMetricsRequest } from './metrics-channel.js';
import { answerNonceRequest, isNonceRequest } from './nonce-channel.js';
import { encodeWorkerConfig, WORKER_CONFIG_VARIABLE, WORKER_INDEX_VARIABLE } from './worker-config.js';

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
 * `arca server --workers N` (`config.workers`): N worker processes serve one port (Node's cluster
 * hands each new connection to the next worker in turn). This primary serves no request; it
 * - binds the port first (reserved until the workers listen), so a taken port creates nothing;
 * - prepares the data directory once (root key, schema, administrator key), before any worker;
 * - owns the one replay guard (the same snapshot rules as a single process, see startServer):
 *   every worker records each verified nonce here over IPC, so a replay to another worker fails;
 * - hands each worker the whole configuration, which the worker validates again;
 * - replaces a worker that dies (worker 0, which runs the background jobs, comes back as 0);
 * - on close, stops the workers (each finishes its requests in flight), then saves the guard.
 * The workers share the SQLite store as separate processes do (WAL, conditional writes); their
 * key caches are their own, with the same one-second freshness as one process's.
 */
export async function startCluster(config: ArcaConfig, runtime: ServerRuntime): Promise<RunningCluster> {
  const plumbing = resolvePlumbing(config, runtime);
  const reservation = await reservePort(config.host, config.port);
  let replayGuard: ReplayGuardLifeCycle | undefined;
  let workers: WorkerSet | undefined;
  let ops: OpsServer | undefined;
  let port: number;
  const readiness = new Readiness([ReadinessCheckName.ReplayGuard, WORKERS_CHECK]);
  try {
    const guard = ReplayGuardLifeCycle.open(config.dataDir, plumbing.clock, plumbing.logger);
    replayGuard = guard;
    const metrics = new ClusterMetrics(() => guard.guard.size);
    ops = await startClusterOpsServer(config, readiness, metrics, plumbing);
    await prepareDataDirectory(config, runtime.environment, plumbing);
    await replayGuard.beforeListening();
    readiness.provide({ name: ReadinessCheckName.ReplayGuard, check: () => true });
    await reservation.release();
    const set = new WorkerSet(config, replayGuard.guard, metrics, plumbing.logger);
    workers = set;
    readiness.provide({ name: WORKERS_CHECK, check: () => set.listening === config.workers });
    port = await workers.start(config.workers);
  } catch (error) {
    // Stopped workers take no more requests: the guard then holds all they accepted.
    await workers?.stop();
    await reservation.release();
    replayGuard?.afterFailedStart();
    await ops?.close();
    throw error;
  }
  const url = serverUrl(config.host, port);
  plumbing.announce(`arca listening on ${url} (${config.workers} workers)`);
  let closing: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    readiness.startDraining();
    await workers.stop();
    replayGuard.save();
    await ops?.close();
  };
  return {
    url,
    port,
    close: () => (closing ??= shutdown()),
  };
}

/** The primary's readiness check that every worker listens (each worker checks its own store, root key and token). */
const WORKERS_CHECK = 'workers';

/** `--metrics-port` of a cluster: served by the primary, with the whole cluster's metrics. */
async function startClusterOpsServer(
  config: ArcaConfig,
  readiness: Readiness,
  metrics: ClusterMetrics,
  plumbing: Plumbing,
): Promise<OpsServer | undefined> {
  if (config.metrics.port === undefined) return undefined;
  const ops = await startOpsServer({
    host: config.host,
    port: config.metrics.port,
    readiness,
    metrics: () => metrics.gather(),
    logger: plumbing.logger,
  });
  plumbing.announce(`arca metrics on ${serverUrl(config.host, ops.port)}/metrics`);
  return ops;
}

class WorkerSet {
  readonly #config: ArcaConfig;
  /** Serialised once; every worker, a replacement too, validates the same text. */
  readonly #encodedConfig: string;
  readonly #guard: ReplayGuard;
  readonly #metrics: ClusterMetrics;
  readonly #logger: Logger;
  readonly #workers = new Map<number, Worker>();
  readonly #listening = new Set<Worker>();
  #stopping = false;

  constructor(config: ArcaConfig, guard: ReplayGuard, metrics: ClusterMetrics, logger: Logger) {
    this.#config = config;
    this.#encodedConfig = encodeWorkerConfig(config);
    this.#guard = guard;
    this.#metrics = metrics;
    this.#logger = logger;
    cluster.setupPrimary({ exec: join(import.meta.dirname, 'worker-main.js'), args: [] });
  }

  /** How many workers listen now. */
  get listening(): number {
    return this.#listening.size;
  }

  /** Forks the workers and resolves with the port once every one listens. */
  async start(count: number): Promise<number> {
    const ports = await Promise.all(Array.from({ length: count }, (_, index) => this.#fork(index)));
    const port = ports[0] ?? this.#config.port;
    if (ports.some((p) => p !== port)) throw new Error(`workers listen on different ports: ${ports.join(', ')}`);
    return port;
  }

  /** Resolves with the port the worker listens on; rejects if it exits first. */
  #fork(index: number): Promise<number> {
    const worker = cluster.fork({
      [WORKER_INDEX_VARIABLE]: String(index),
      [WORKER_CONFIG_VARIABLE]: this.#encodedConfig,
    });
    this.#workers.set(index, worker);
    worker.on('message', (message: unknown) => {
      if (isNonceRequest(message)) worker.send(answerNonceRequest(this.#guard, message));
      else if (isInvalidationMessage(message)) this.#forwardToOthers(worker, message);
      else if (isMetricsRequest(message)) void this.#metrics.answer(message).then((answer) => worker.isConnected() && worker.send(answer));
    });
    return new Promise((resolve, reject) => {
      let listening = false;
      worker.on('message', (message: unknown) => {
        const m = message as { type?: unknown; port?: unknown };
        if (m.type === 'listening' && typeof m.port === 'number') {
          listening = true;
          this.#listening.add(worker);
          this.#logger.info({ worker: index, workerPid: worker.process.pid, port: m.port }, 'worker listening');
          resolve(m.port);
        }
      });
      worker.on('exit', (code, signal) => {
        this.#listening.delete(worker);
        if (this.#workers.get(index) === worker) this.#workers.delete(index);
        if (!listening) {
          reject(new Error(`worker ${index} exited (${signal ?? code}) before it listened`));
          return;
        }
        if (this.#stopping) return;
        this.#logger.error({ worker: index, workerPid: worker.process.pid, code, signal }, 'worker died; starting another');
        this.#metrics.workerRestarted();
        setTimeout(() => {
          if (!this.#stopping)
            this.#fork(index).catch((error: unknown) => this.#logger.error({ worker: index, err: error }, 'worker did not restart'));
        }, RESTART_DELAY_MS).unref();
      });
    });
  }

  /** What one worker wrote, for every other worker to drop from its caches. */
  #forwardToOthers(from: Worker, message: InvalidationMessage): void {
    for (const worker of this.#workers.values()) {
      if (worker !== from && worker.isConnected()) worker.send(message);
    }
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
