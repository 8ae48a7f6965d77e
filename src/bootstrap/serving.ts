import type { FastifyInstance } from 'fastify';
import { drainAndClose } from '../api/drain.js';
import { startOpsServer, type OpsServer } from '../api/ops-server.js';
import type { Readiness } from '../api/readiness.js';
import type { MetricsEndpoint } from '../api/server.js';
import { watchReplayGuard, type ArcaMetrics } from '../metrics/arca-metrics.js';
import type { NonceRecorder } from '../api/signature/verify-request.js';
import type { ArcaConfig } from '../config/arca-config.js';
import type { AccessKeys } from '../operations/access-keys.js';
import type { InvalidationChannel } from '../operations/key-repository.js';
import type { JobScheduler } from '../jobs/scheduler.js';
import { createMetrics, createReadiness, provideDataDirectoryChecks, ReadinessCheckName, watchStoreAndToken } from './observability.js';
import { openDataDirectory, type OpenedDataDirectory } from './open-data-directory.js';
import type { SecretEnvironment } from './root-key-source.js';
import type { Plumbing } from './runtime.js';
import { serverUrl } from './runtime.js';
import { wireServices } from './services.js';

/** A server that listens. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
  /** The port of `/metrics`, `/ready` and `/health` when `--metrics-port` gave them one. */
  readonly metricsPort?: number;
  /** Stops the jobs, then the HTTP server (finishing the requests in flight), then the store and the token. */
  close(): Promise<void>;
}

/** How this process serves: a standalone server, or one worker of a cluster. */
export interface ServingRole {
  readonly replayGuard: NonceRecorder;
  readonly runsJobs: boolean;
  /** In a cluster's worker: how it tells the other workers what it changed. */
  readonly invalidations?: InvalidationChannel;
  /** Runs once the services are wired, before the jobs start (the administrator bootstrap). */
  readonly afterWiring?: (accessKeys: AccessKeys) => Promise<void>;
  /** Runs last before the port opens. */
  readonly beforeListen: () => Promise<void>;
  /** Whether the replay guard can check nonces: set up (standalone), or the primary reachable (worker). */
  readonly replayGuardReady: () => boolean;
  /**
   * Where this process's `/metrics` comes from. Standalone: this process's registry, with the
   * guard's entries (`replayGuardEntries`). A cluster's worker: the primary, which gathers every
   * worker's and adds its own; the primary also serves `--metrics-port`, so a worker opens no
   * port of its own.
   */
  readonly metrics:
    | { readonly kind: 'own'; readonly replayGuardEntries: () => number }
    | { readonly kind: 'cluster'; readonly gather: MetricsEndpoint; readonly offer: (metrics: ArcaMetrics) => void };
}

/** Opens the data directory, wires the services, starts the jobs (when this process runs them) and listens. */
export async function startServing(
  config: ArcaConfig,
  environment: SecretEnvironment,
  plumbing: Plumbing,
  role: ServingRole,
): Promise<RunningServer> {
  const { logger, clock } = plumbing;
  const metrics = createMetrics(config);
  const readiness = createReadiness(config);
  const endpoint = metricsEndpointOf(metrics, role);
  // Before the data directory, so that its /ready says `pending` while the start is under way.
  const ops = await startOwnOpsServer(config, role, readiness, endpoint, plumbing);
  let opened: OpenedDataDirectory | undefined;
  let jobs: JobScheduler | undefined;
  let closeAudit: (() => Promise<void>) | undefined;
  try {
    opened = await openDataDirectory(config, environment, logger, plumbing.askPassphrase);
    provideDataDirectoryChecks(readiness, opened.store, opened.rootKey, opened.token);
    watchStoreAndToken(metrics, opened.store, opened.token);
    const services = await wireServices({
      config,
      opened,
      replayGuard: role.replayGuard,
      runsJobs: role.runsJobs,
      clock,
      logger,
      ...(role.invalidations ? { invalidations: role.invalidations } : {}),
      metrics,
      ...(config.metrics.port === undefined ? { metricsEndpoint: endpoint } : {}),
      readiness,
    });
    closeAudit = () => services.closeAudit();
    await role.afterWiring?.(services.accessKeys);
    jobs = services.jobs;
    jobs.start();
    await role.beforeListen();
    readiness.provide({ name: ReadinessCheckName.ReplayGuard, check: role.replayGuardReady });
    const port = await listen(services.app, config);
    const dataDirectory = opened;
    return {
      url: serverUrl(config.host, port),
      port,
      app: services.app,
      ...(ops ? { metricsPort: ops.port } : {}),
      close: closeOnce(readiness, services.app, services.jobs, async () => {
        try {
          await services.closeAudit();
        } finally {
          try {
            await dataDirectory.close();
          } finally {
            await ops?.close();
          }
        }
      }),
    };
  } catch (error) {
    await jobs?.stop();
    await closeAudit?.().catch(() => undefined);
    await opened?.close();
    await ops?.close();
    throw error;
  }
}

function metricsEndpointOf(metrics: ArcaMetrics, role: ServingRole): MetricsEndpoint {
  if (role.metrics.kind === 'cluster') {
    role.metrics.offer(metrics);
    return role.metrics.gather;
  }
  watchReplayGuard(metrics.registry, role.metrics.replayGuardEntries);
  return () => metrics.exposition();
}

/** `--metrics-port` in a process that serves it (a standalone server; in a cluster, the primary). */
async function startOwnOpsServer(
  config: ArcaConfig,
  role: ServingRole,
  readiness: Readiness,
  metrics: MetricsEndpoint,
  plumbing: Plumbing,
): Promise<OpsServer | undefined> {
  if (config.metrics.port === undefined || role.metrics.kind === 'cluster') return undefined;
  const ops = await startOpsServer({ host: config.host, port: config.metrics.port, readiness, metrics, logger: plumbing.logger });
  plumbing.announce(`arca metrics on ${serverUrl(config.host, ops.port)}/metrics`);
  return ops;
}

/** Resolves with the port the server listens on (the one picked when the configuration says 0). */
async function listen(app: FastifyInstance, config: ArcaConfig): Promise<number> {
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : config.port;
}

function closeOnce(
  readiness: Readiness,
  app: FastifyInstance,
  jobs: JobScheduler,
  closeDataDirectory: () => Promise<void>,
): () => Promise<void> {
  const shutdown = async (): Promise<void> => {
    // First: a load balancer polling /ready takes this server out while it finishes its work.
    readiness.startDraining();
    // The jobs write to the store, so they stop (finishing the key in hand) before it closes.
    await jobs.stop();
    // drainAndClose returns once the HTTP server takes no request and every one it took has
    // finished (a standalone server's close() saves the replay guard after this).
    try {
      await drainAndClose(app);
    } finally {
      await closeDataDirectory();
    }
  };
  let closing: Promise<void> | undefined;
  return () => (closing ??= shutdown());
}
