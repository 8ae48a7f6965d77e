import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AccessKeyRateLimiter } from '../api/rate-limiter.js';
import { buildApi } from '../api/server.js';
import type { NonceRecorder } from '../api/signature/verify-request.js';
import type { ArcaConfig } from '../config/arca-config.js';
import type { ArnScope } from '../domain/arn.js';
import { ProtectionLevel } from '../domain/key-spec.js';
import type { Clock, KeyProtector } from '../domain/ports.js';
import { DeletionJob } from '../jobs/deletion-job.js';
import { MaterialExpiryJob } from '../jobs/material-expiry-job.js';
import { RotationJob } from '../jobs/rotation-job.js';
import { JobScheduler } from '../jobs/scheduler.js';
import { AccessKeys } from '../operations/access-keys.js';
import { DEFAULT_KEY_RING_OPTIONS, KeyRing } from '../operations/key-ring.js';
import { Pkcs11KeyProtector } from '../protection/pkcs11/pkcs11-key-protector.js';
import { SoftwareKeyProtector } from '../protection/software-key-protector.js';
import type { OpenedDataDirectory } from './open-data-directory.js';

/** What the request-serving services are built from. */
export interface ServiceInputs {
  readonly config: ArcaConfig;
  readonly opened: OpenedDataDirectory;
  /** The process's own replay guard, or in a cluster's worker the primary's, reached over IPC. */
  readonly replayGuard: NonceRecorder;
  /** False in every cluster worker but worker 0: the background jobs run in one process. */
  readonly runsJobs: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The wired services: the HTTP API (not listening yet), the jobs (not started), the access keys. */
export interface Services {
  readonly app: FastifyInstance;
  readonly jobs: JobScheduler;
  /** For the administrator bootstrap. */
  readonly accessKeys: AccessKeys;
}

/**
 * The one place where the request-serving services are built and wired together: the protectors
 * by protection level, the KeyRing, the AccessKeys, the API and the background jobs. Nothing
 * here touches the network or starts a timer.
 */
export async function wireServices(inputs: ServiceInputs): Promise<Services> {
  const { config, clock, logger } = inputs;
  const { store, rootKey, secrets, token } = inputs.opened;
  const scope: ArnScope = { region: config.region, accountId: config.accountId };
  const protectors = new Map<ProtectionLevel, KeyProtector>([[ProtectionLevel.Software, new SoftwareKeyProtector(rootKey)]]);
  if (token) protectors.set(ProtectionLevel.Hsm, await Pkcs11KeyProtector.create(token, logger));
  const keys = new KeyRing(store, protectors, clock, scope, DEFAULT_KEY_RING_OPTIONS);
  const accessKeys = new AccessKeys(store, rootKey, clock);

  const app = buildApi({
    keys,
    accessKeys,
    replayGuard: inputs.replayGuard,
    clock,
    settings: { minRotationIntervalSeconds: config.minRotationIntervalSeconds },
    scope,
    logger,
    ...(config.rateLimit ? { rateLimiter: new AccessKeyRateLimiter(config.rateLimit) } : {}),
    secrets,
  });
  const jobs = new JobScheduler({
    jobs: inputs.runsJobs ? [new RotationJob(keys, clock), new DeletionJob(keys), new MaterialExpiryJob(keys)] : [],
    clock,
    intervalMs: config.jobIntervalMs,
    logger,
  });
  return { app, jobs, accessKeys };
}
