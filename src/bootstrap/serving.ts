import type { FastifyInstance } from 'fastify';
import { drainAndClose } from '../api/drain.js';
import type { NonceRecorder } from '../api/signature/verify-request.js';
import type { ArcaConfig } from '../config/arca-config.js';
import type { AccessKeys } from '../operations/access-keys.js';
import type { InvalidationChannel } from '../operations/key-repository.js';
import type { JobScheduler } from '../jobs/scheduler.js';
import { openDataDirectory } from './open-data-directory.js';
import type { SecretEnvironment } from './root-key-source.js';
import type { Plumbing } from './runtime.js';
import { serverUrl } from './runtime.js';
import { wireServices } from './services.js';

/** A server that listens. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
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
}

/** Opens the data directory, wires the services, starts the jobs (when this process runs them) and listens. */
export async function startServing(
  config: ArcaConfig,
  environment: SecretEnvironment,
  plumbing: Plumbing,
  role: ServingRole,
): Promise<RunningServer> {
  const { logger, clock } = plumbing;
  const opened = await openDataDirectory(config, environment, logger);
  let jobs: JobScheduler | undefined;
  let closeAudit: (() => Promise<void>) | undefined;
  try {
    const services = await wireServices({
      config,
      opened,
      replayGuard: role.replayGuard,
      runsJobs: role.runsJobs,
      clock,
      logger,
      ...(role.invalidations ? { invalidations: role.invalidations } : {}),
    });
    closeAudit = () => services.closeAudit();
    await role.afterWiring?.(services.accessKeys);
    jobs = services.jobs;
    jobs.start();
    await role.beforeListen();
    const port = await listen(services.app, config);
    return {
      url: serverUrl(config.host, port),
      port,
      app: services.app,
      close: closeOnce(services.app, services.jobs, async () => {
        try {
          await services.closeAudit();
        } finally {
          await opened.close();
        }
      }),
    };
  } catch (error) {
    await jobs?.stop();
    await closeAudit?.().catch(() => undefined);
    await opened.close();
    throw error;
  }
}

/** Resolves with the port the server listens on (the one picked when the configuration says 0). */
async function listen(app: FastifyInstance, config: ArcaConfig): Promise<number> {
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : config.port;
}

function closeOnce(app: FastifyInstance, jobs: JobScheduler, closeDataDirectory: () => Promise<void>): () => Promise<void> {
  const shutdown = async (): Promise<void> => {
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
