import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AccessKeyRateLimiter, type RateLimitOptions } from '../api/rate-limiter.js';
import type { ConsoleFiles } from '../api/console-route.js';
import type { Readiness } from '../api/readiness.js';
import { buildApi, type ConnectionLimits, type MetricsEndpoint } from '../api/server.js';
import type { NonceRecorder } from '../api/signature/verify-request.js';
import { PinoAuditSink } from '../audit/pino-audit-sink.js';
import type { AwsScope } from '../aws/aws-arn.js';
import type { ArnScope } from '../domain/arn.js';
import type { AuditEventReader, AuditSink, AuditTrail } from '../domain/audit-event.js';
import type { ProtectionLevel } from '../domain/key-spec.js';
import type { AccessKeyStore, Clock, HasIdentityStore, KeyedDigest, KeyProtector, KeyStore, SecretSealer } from '../domain/ports.js';
import { DeletionJob } from '../jobs/deletion-job.js';
import { MaterialExpiryJob } from '../jobs/material-expiry-job.js';
import { RotationJob } from '../jobs/rotation-job.js';
import { JobScheduler, type JobRun } from '../jobs/scheduler.js';
import type { ArcaMetrics } from '../metrics/arca-metrics.js';
import { MetricsAuditSink } from '../metrics/metrics-audit-sink.js';
import { AccessKeys } from '../operations/access-keys.js';
import {
  DEFAULT_KEY_REPOSITORY_OPTIONS,
  KeyRepository,
  type InvalidationChannel,
  type KeyRepositoryOptions,
} from '../operations/key-repository.js';
import type { OperationSettings } from '../operations/operation.js';
import { IdentityRepository } from '../operations/ram/identity-repository.js';
import type { Authorizer } from '../pipeline/authorizer.js';
import { PolicyAuthorizer } from '../pipeline/policy-authorizer.js';
import { OperationRunner } from '../pipeline/runner.js';
import type { PolicySource } from '../policy/policy-source.js';

export interface PipelineParts {
  readonly store: KeyStore & AccessKeyStore & HasIdentityStore;
  readonly protectors: ReadonlyMap<ProtectionLevel, KeyProtector>;
  /** Seals access-key secrets (the administrator's and RAM users'). */
  readonly rootKey: SecretSealer;
  readonly secrets: SecretSealer & KeyedDigest;
  readonly clock: Clock;
  readonly scope: ArnScope;
  /** The region and account of the AWS KMS API's Arns; the defaults when absent. */
  readonly awsScope?: AwsScope;
  readonly logger: Logger;
  readonly settings: OperationSettings;
  readonly replayGuard: NonceRecorder;
  readonly rateLimit?: RateLimitOptions;
  /** The base of the error bodies' Recommend link (`--error-help-url`). */
  readonly errorHelpUrl?: string;
  /** Proxies whose X-Forwarded-For gives the client address (`--trusted-proxies`); none when absent. */
  readonly trustedProxies?: readonly string[];
  /** The web console's files, served at /console/; none when absent. */
  readonly console?: ConsoleFiles;
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
  /** The authorisation point; RAM policies over `policies` when absent. */
  readonly authorizer?: Authorizer;
  /**
   * Where RAM users' identity policies are read; the pipeline's identity repository (the RAM
   * users, groups and attachments of the store) when absent. The administrator is never evaluated.
   */
  readonly policies?: PolicySource;
  readonly repositoryOptions?: KeyRepositoryOptions;
  /** Where this process announces its writes and hears of other processes' (a cluster's workers). */
  readonly invalidations?: InvalidationChannel;
  /** Counts every audit event and job run; none when absent. */
  readonly metrics?: ArcaMetrics;
  /** `GET /metrics` of the API port; absent: no such route (`--metrics-port`, or no metrics). */
  readonly metricsEndpoint?: MetricsEndpoint;
  /** What `GET /ready` reports. */
  readonly readiness?: Readiness;
}

export interface Pipeline {
  readonly keys: KeyRepository;
  /** RAM identities; also the authorisation point's source of a user's policies. */
  readonly identities: IdentityRepository;
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
  const identities = new IdentityRepository(store.identities, parts.rootKey, clock, parts.scope.accountId);
  keys.onInvalidation((change) => {
    if (change.kind === 'accessKey') accessKeys.forget(change.accessKeyId);
    if (change.kind === 'identities') identities.invalidate();
  });
  const channel = parts.invalidations;
  if (channel) {
    keys.onWrite((change) => channel.publish(change));
    identities.onWrite((change) => channel.publish(change));
    channel.subscribe((change) => keys.invalidate(change));
  }
  // This process's own access-key writes drop its opened secrets at once.
  identities.onWrite((change) => {
    if (change.kind === 'accessKey') accessKeys.forget(change.accessKeyId);
  });
  const { metrics } = parts;
  const auditSink = parts.auditSink ?? new PinoAuditSink(logger);
  const runner = new OperationRunner({
    keys,
    identities,
    // The administrator and Arca's jobs bypass the policies; a RAM user of the account is judged
    // by its identity policies (the identity repository, unless the caller gives another source)
    // and the key's policy; any other principal is refused.
    authorizer: parts.authorizer ?? new PolicyAuthorizer({ policies: parts.policies ?? identities, scope: parts.scope }),
    audit: metrics ? new MetricsAuditSink(metrics, auditSink) : auditSink,
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
    ...(parts.awsScope ? { awsScope: parts.awsScope } : {}),
    logger,
    ...(parts.rateLimit ? { rateLimiter: new AccessKeyRateLimiter(parts.rateLimit) } : {}),
    ...(parts.errorHelpUrl === undefined ? {} : { errorHelpUrl: parts.errorHelpUrl }),
    ...(parts.trustedProxies ? { trustedProxies: parts.trustedProxies } : {}),
    ...(parts.connectionLimits ? { connectionLimits: parts.connectionLimits } : {}),
    ...(parts.console ? { console: parts.console } : {}),
    ...(parts.readiness ? { readiness: parts.readiness } : {}),
    ...(parts.metricsEndpoint ? { metrics: parts.metricsEndpoint } : {}),
  });
  const jobs = new JobScheduler({
    jobs: parts.runsJobs ? [new RotationJob(keys, runner), new DeletionJob(keys, runner), new MaterialExpiryJob(keys, runner)] : [],
    clock,
    intervalMs: parts.jobIntervalMs,
    logger,
    ...(metrics ? { observer: (run: JobRun) => metrics.observeJobRun(run) } : {}),
  });
  return { keys, identities, accessKeys, runner, app, jobs };
}
