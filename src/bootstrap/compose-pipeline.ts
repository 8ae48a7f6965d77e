import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AccessKeyRateLimiter, type RateLimitOptions } from '../api/rate-limiter.js';
import { buildApi, type ConnectionLimits } from '../api/server.js';
import type { NonceRecorder } from '../api/signature/verify-request.js';
import { PinoAuditSink } from '../audit/pino-audit-sink.js';
import type { ArnScope } from '../domain/arn.js';
import type { AuditEventReader, AuditSink, AuditTrail } from '../domain/audit-event.js';
import type { ProtectionLevel } from '../domain/key-spec.js';
import type { AccessKeyStore, Clock, KeyedDigest, KeyProtector, KeyStore, SecretSealer } from '../domain/ports.js';
import { DeletionJob } from '../jobs/deletion-job.js';
import { MaterialExpiryJob } from '../jobs/material-expiry-job.js';
import { RotationJob } from '../jobs/rotation-job.js';
import { JobScheduler } from '../jobs/scheduler.js';
import { AccessKeys } from '../operations/access-keys.js';
import {
  DEFAULT_KEY_REPOSITORY_OPTIONS,
  KeyRepository,
  type InvalidationChannel,
  type KeyRepositoryOptions,
} from '../operations/key-repository.js';
import type { OperationSettings } from '../operations/operation.js';
import { administratorOnly, type Authorizer } from '../pipeline/authorizer.js';
import { OperationRunner } from '../pipeline/runner.js';

export interface PipelineParts {
  readonly store: KeyStore & AccessKeyStore;
  readonly protectors: ReadonlyMap<ProtectionLevel, KeyProtector>;
  /** Seals access-key secrets. */
  readonly rootKey: SecretSealer;
  readonly secrets: SecretSealer & KeyedDigest;
  readonly clock: Clock;
  readonly scope: ArnScope;
  readonly logger: Logger;
  readonly settings: OperationSettings;
  readonly replayGuard: NonceRecorder;
  readonly rateLimit?: RateLimitOptions;
  /** The base of the error bodies' Recommend link (`--error-help-url`). */
  readonly errorHelpUrl?: string;
  /** The HTTP server's timeouts and connection cap; the server's defaults when absent. */
  readonly connectionLimits?: ConnectionLimits;
  /** Whether this process runs the background jobs. */
  readonly runsJobs: boolean;
  readonly jobIntervalMs: number;
  /** Where audit events go; the log when absent. */
  readonly auditSink?: AuditSink;
  /** The durable trail every event is written to before its response leaves (docs/adr/0028); none when absent. */
  readonly auditTrail?: AuditTrail;
  /** The trail's events for ListAuditEvents; the action is refused as unsupported when absent. */
  readonly auditEventReader?: AuditEventReader;
  /** The authorisation point; administrator-only when absent. */
  readonly authorizer?: Authorizer;
  readonly repositoryOptions?: KeyRepositoryOptions;
  /** Where this process announces its writes and hears of other processes' (a cluster's workers). */
  readonly invalidations?: InvalidationChannel;
}

export interface Pipeline {
  readonly keys: KeyRepository;
  readonly accessKeys: AccessKeys;
  readonly runner: OperationRunner;
  readonly app: FastifyInstance;
  /** Started by the caller (before listening), stopped before the store closes. */
  readonly jobs: JobScheduler;
}

/**
 * Wires the request-serving parts in the one order they depend on each other: the repository
 * (and the access keys it invalidates), the runner around it (authorisation point, audit sink),
 * the Alibaba front end and the jobs on top of the runner.
 */
export function composePipeline(parts: PipelineParts): Pipeline {
  const { store, clock, logger } = parts;
  const keys = new KeyRepository(store, parts.protectors, clock, parts.scope, parts.repositoryOptions ?? DEFAULT_KEY_REPOSITORY_OPTIONS);
  const accessKeys = new AccessKeys(store, parts.rootKey, clock);
  keys.onInvalidation((change) => {
    if (change.kind === 'accessKey') accessKeys.forget(change.accessKeyId);
  });
  const channel = parts.invalidations;
  if (channel) {
    keys.onWrite((change) => channel.publish(change));
    channel.subscribe((change) => keys.invalidate(change));
  }
  const runner = new OperationRunner({
    keys,
    authorizer: parts.authorizer ?? administratorOnly,
    audit: parts.auditSink ?? new PinoAuditSink(logger),
    ...(parts.auditTrail ? { trail: parts.auditTrail } : {}),
    ...(parts.auditEventReader ? { auditEvents: parts.auditEventReader } : {}),
    clock,
    settings: parts.settings,
    secrets: parts.secrets,
    logger,
  });
  const app = buildApi({
    runner,
    accessKeys,
    replayGuard: parts.replayGuard,
    clock,
    scope: parts.scope,
    logger,
    ...(parts.rateLimit ? { rateLimiter: new AccessKeyRateLimiter(parts.rateLimit) } : {}),
    ...(parts.errorHelpUrl === undefined ? {} : { errorHelpUrl: parts.errorHelpUrl }),
    ...(parts.connectionLimits ? { connectionLimits: parts.connectionLimits } : {}),
  });
  const jobs = new JobScheduler({
    jobs: parts.runsJobs ? [new RotationJob(keys, runner), new DeletionJob(keys, runner), new MaterialExpiryJob(keys, runner)] : [],
    clock,
    intervalMs: parts.jobIntervalMs,
    logger,
  });
  return { keys, accessKeys, runner, app, jobs };
}
