import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { loadConsoleFiles, type ConsoleFiles } from '../api/console-route.js';
import type { Readiness } from '../api/readiness.js';
import type { MetricsEndpoint } from '../api/server.js';
import type { NonceRecorder } from '../api/signature/verify-request.js';
import type { ArcaMetrics } from '../metrics/arca-metrics.js';
import type { ArcaConfig } from '../config/arca-config.js';
import type { ArnScope } from '../domain/arn.js';
import { ProtectionLevel } from '../domain/key-spec.js';
import type { Clock, KeyProtector } from '../domain/ports.js';
import type { JobScheduler } from '../jobs/scheduler.js';
import type { AccessKeys } from '../operations/access-keys.js';
import type { InvalidationChannel } from '../operations/key-repository.js';
import { TrailEventReader } from '../audit/trail-event-reader.js';
import { startAuditServices } from './audit-services.js';
import { composePipeline } from './compose-pipeline.js';
import { Pkcs11KeyProtector } from '../protection/pkcs11/pkcs11-key-protector.js';
import { SoftwareKeyProtector } from '../protection/software-key-protector.js';
import { rewrapLegacyHsmVersions } from './rewrap-legacy-hsm-versions.js';
import type { OpenedDataDirectory } from './open-data-directory.js';

/** What the request-serving services are built from. */
export interface ServiceInputs {
  readonly config: ArcaConfig;
  readonly opened: OpenedDataDirectory;
  /** The process's own replay guard, or in a cluster's worker the primary's, reached over IPC. */
  readonly replayGuard: NonceRecorder;
  /** False in every cluster worker but worker 0: the background jobs run in one process. */
  readonly runsJobs: boolean;
  /** In a cluster's worker: how it tells the other workers what it changed. */
  readonly invalidations?: InvalidationChannel;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: ArcaMetrics;
  /** `GET /metrics` on the API port; absent when `--metrics-port` serves it. */
  readonly metricsEndpoint?: MetricsEndpoint;
  readonly readiness: Readiness;
}

/** The wired services: the HTTP API (not listening yet), the jobs (not started), the access keys. */
export interface Services {
  readonly app: FastifyInstance;
  readonly jobs: JobScheduler;
  /** For the administrator bootstrap. */
  readonly accessKeys: AccessKeys;
  /** Signs the trail's final checkpoint and closes the audit file: after the last request, before the store closes. */
  closeAudit(): Promise<void>;
}

/**
 * The one place where the request-serving services are built and wired together: the protectors
 * by protection level, the audit trail, then the pipeline (repository, access keys, runner, API,
 * background jobs). Nothing here touches the network; the only timers are the trail's checkpoints
 * and retention (unref'd).
 */
export async function wireServices(inputs: ServiceInputs): Promise<Services> {
  const { config, clock, logger } = inputs;
  const { store, rootKey, secrets, token } = inputs.opened;
  const scope: ArnScope = { region: config.region, accountId: config.accountId };
  const protectors = new Map<ProtectionLevel, KeyProtector>([[ProtectionLevel.Software, new SoftwareKeyProtector(rootKey)]]);
  if (token) {
    const hsm = await Pkcs11KeyProtector.create(token, logger);
    protectors.set(ProtectionLevel.Hsm, hsm);
    // Before serving, in the one process that runs the jobs (docs/adr/0013, issue 16).
    if (inputs.runsJobs) await rewrapLegacyHsmVersions(store, hsm, logger);
  }
  const consoleFiles = config.console ? await builtConsole(logger) : undefined;
  const audit = await startAuditServices(config, inputs.opened.auditStore, { runsJobs: inputs.runsJobs, clock, logger });
  const { app, jobs, accessKeys } = composePipeline({
    store,
    protectors,
    rootKey,
    secrets,
    clock,
    scope,
    awsScope: config.aws,
    logger,
    settings: { minRotationIntervalSeconds: config.minRotationIntervalSeconds },
    replayGuard: inputs.replayGuard,
    ...(config.rateLimit ? { rateLimit: config.rateLimit } : {}),
    ...(config.errorHelpUrl === undefined ? {} : { errorHelpUrl: config.errorHelpUrl }),
    ...(config.trustedProxies ? { trustedProxies: config.trustedProxies } : {}),
    connectionLimits: config.connections,
    runsJobs: inputs.runsJobs,
    jobIntervalMs: config.jobIntervalMs,
    ...(inputs.invalidations ? { invalidations: inputs.invalidations } : {}),
    ...(consoleFiles ? { console: consoleFiles } : {}),
    metrics: inputs.metrics,
    ...(inputs.metricsEndpoint ? { metricsEndpoint: inputs.metricsEndpoint } : {}),
    readiness: inputs.readiness,
    auditSink: audit.sink,
    auditTrail: audit.trail,
    auditEventReader: new TrailEventReader(inputs.opened.auditStore, clock),
  });
  return { app, jobs, accessKeys, closeAudit: () => audit.close() };
}

/** The release's console; a server built without it (`tsc` alone) serves the API and says so. */
async function builtConsole(logger: Logger): Promise<ConsoleFiles | undefined> {
  const files = await loadConsoleFiles();
  if (files === undefined) logger.warn('the web console is not built (npm run build); /console/ is not served');
  return files;
}
