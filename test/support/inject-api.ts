// The one place the inject() tests (test/api/actions) build the HTTP API: buildApi over the memory
// store, the software key protector with a fresh root key, one administrator access key, a replay
// guard and a settable clock. Requests are signed for real (test/support/acs3-signer.ts, which
// shares no code with src/) and sent with app.inject(), so no socket is opened.
//
// When buildApi or its dependencies change shape, this file is the only one to adapt.
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { ReplayGuard } from '../../src/api/signature/replay-guard.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { ProtectionLevel } from '../../src/domain/key-spec.js';
import type { Clock, KeyProtector } from '../../src/domain/ports.js';
import { DEFAULT_MIN_ROTATION_INTERVAL_SECONDS } from '../../src/domain/rotation-interval.js';
import { MemoryKeyStore } from '../../src/keystore/memory-key-store.js';
import type { AuditEvent, AuditEventReader, AuditTrail } from '../../src/domain/audit-event.js';
import type { AccessKeys } from '../../src/operations/access-keys.js';
import type { KeyRepository } from '../../src/operations/key-repository.js';
import type { IdentityRepository } from '../../src/operations/ram/identity-repository.js';
import type { ConsoleFiles } from '../../src/api/console-route.js';
import type { RateLimitOptions } from '../../src/api/rate-limiter.js';
import type { Authorizer } from '../../src/pipeline/authorizer.js';
import type { PolicySource } from '../../src/policy/policy-source.js';
import { SealPurpose } from '../../src/domain/seal-purposes.js';
import { composePipeline } from '../../src/bootstrap/compose-pipeline.js';
import type { Readiness } from '../../src/api/readiness.js';
import type { ArcaMetrics } from '../../src/metrics/arca-metrics.js';
import { RootKey } from '../../src/protection/root-key.js';
import { SoftwareKeyProtector } from '../../src/protection/software-key-protector.js';
import { signAcs3, signV1, type Credentials, type PreparedRequest } from './acs3-signer.js';

export type { Credentials, PreparedRequest } from './acs3-signer.js';

export const INJECT_REGION = 'cn-hangzhou';
export const INJECT_ACCOUNT_ID = '1234567890123456';
/** What the signed `host` header says; inject() sends it unchanged. */
export const INJECT_HOST = 'kms.cn-hangzhou.arca.test';
export const ADMIN_CREDENTIALS: Credentials = {
  accessKeyId: 'LTAIinjectAdministrator1',
  accessKeySecret: 'injectSecretForTheActionTests1',
};
/** 2026-03-01T08:00:00Z: the test clock's default start, a whole second. */
export const DEFAULT_START_MS = Date.UTC(2026, 2, 1, 8, 0, 0);

/** The server's only clock; requests are signed at its time, so moving it never expires them. */
export interface TestClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export type SignatureKind = 'ACS3-HMAC-SHA256' | 'HMAC-SHA1';

export interface CallOptions {
  /** Default POST for ACS3-HMAC-SHA256 (every parameter in the query, as the 3.x SDKs send), GET for HMAC-SHA1. */
  readonly method?: 'GET' | 'POST';
  /** Default: the administrator key. */
  readonly accessKey?: Credentials;
  /** Default ACS3-HMAC-SHA256. */
  readonly signature?: SignatureKind;
  /** The API version signed into the request; default 2016-01-20 (KMS), `2015-05-01` for RAM. */
  readonly version?: string;
}

export interface InjectResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  /** The parsed body; undefined when it is not JSON (an XML answer: see test/support/alibaba-xml.ts). */
  readonly json: any;
  readonly text: string;
}

/** A parameter value as the SDKs send it: strings as they are, numbers and booleans as text, anything else as JSON. */
export type ParamValue = string | number | boolean | object;

export interface InjectApi {
  readonly app: FastifyInstance;
  readonly clock: TestClock;
  readonly region: string;
  readonly accountId: string;
  /** Every audit event the pipeline emitted, in order. */
  readonly auditEvents: readonly AuditEvent[];
  /** The memory store under the API, for tests that change records behind its back. */
  readonly store: MemoryKeyStore;
  readonly keys: KeyRepository;
  readonly identities: IdentityRepository;
  readonly accessKeys: AccessKeys;
  /** Signs `action` with `params` and sends it through inject(). */
  call(action: string, params?: Readonly<Record<string, ParamValue>>, options?: CallOptions): Promise<InjectResponse>;
  /** Stores an enabled access key with these credentials for `principal` (a RAM user's Arn, say). */
  addAccessKey(credentials: Credentials, principal: string): Promise<void>;
  /** Sends a request as prepared (by the caller, possibly altered after signing). */
  send(request: PreparedRequest): Promise<InjectResponse>;
  close(): Promise<void>;
}

export interface InjectApiOptions {
  /** Where the test clock starts; default DEFAULT_START_MS. */
  readonly startMs?: number;
  /** The authorisation point; the server's (RAM policies over `policies`) when absent. */
  readonly authorizer?: Authorizer;
  /** Where RAM users' identity policies come from (for example an InMemoryPolicySource). */
  readonly policies?: PolicySource;
  /** Proxies whose X-Forwarded-For is believed, as `--trusted-proxies` sets them (inject() comes from 127.0.0.1). */
  readonly trustedProxies?: readonly string[];
  /** Per-access-key throttling, as `--rate-limit` sets it. */
  readonly rateLimit?: RateLimitOptions;
  /** The error bodies' help link, as `--error-help-url` sets it. */
  readonly errorHelpUrl?: string;
  /** The web console's files, served at /console/; none when absent. */
  readonly console?: ConsoleFiles;
  /** What GET /ready reports. */
  readonly readiness?: Readiness;
  /** Counts the audit events; GET /metrics serves them. */
  readonly metrics?: ArcaMetrics;
  /** The durable audit trail; none when absent. */
  readonly auditTrail?: AuditTrail;
  /** What ListAuditEvents reads; the action is unsupported when absent. */
  readonly auditEventReader?: AuditEventReader;
}

export function createTestClock(startMs: number): TestClock {
  let now = startMs;
  return {
    now: () => now,
    set: (ms) => {
      now = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

export async function createInjectApi(options: InjectApiOptions = {}): Promise<InjectApi> {
  const clock = createTestClock(options.startMs ?? DEFAULT_START_MS);
  const scope = { region: INJECT_REGION, accountId: INJECT_ACCOUNT_ID };
  const store = new MemoryKeyStore();
  const rootKey = RootKey.fromSecret(SecretBytes.random(32));
  const protectors = new Map<ProtectionLevel, KeyProtector>([[ProtectionLevel.Software, new SoftwareKeyProtector(rootKey)]]);
  const auditEvents: AuditEvent[] = [];
  const { app, accessKeys, keys, identities } = composePipeline({
    store,
    protectors,
    rootKey,
    secrets: rootKey,
    clock,
    scope,
    logger: pino({ level: 'silent' }),
    settings: { minRotationIntervalSeconds: DEFAULT_MIN_ROTATION_INTERVAL_SECONDS },
    replayGuard: new ReplayGuard(),
    runsJobs: false,
    jobIntervalMs: 60_000,
    auditSink: { emit: (event) => auditEvents.push(event) },
    ...(options.authorizer ? { authorizer: options.authorizer } : {}),
    ...(options.policies ? { policies: options.policies } : {}),
    ...(options.trustedProxies ? { trustedProxies: options.trustedProxies } : {}),
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.errorHelpUrl ? { errorHelpUrl: options.errorHelpUrl } : {}),
    ...(options.console ? { console: options.console } : {}),
    ...(options.readiness ? { readiness: options.readiness } : {}),
    ...(options.metrics ? { metrics: options.metrics, metricsEndpoint: () => options.metrics!.exposition() } : {}),
    ...(options.auditTrail ? { auditTrail: options.auditTrail } : {}),
    ...(options.auditEventReader ? { auditEventReader: options.auditEventReader } : {}),
  });
  await accessKeys.ensureAdministrator(ADMIN_CREDENTIALS);
  await app.ready();

  const send = async (request: PreparedRequest): Promise<InjectResponse> => {
    const response = await app.inject({
      method: request.method as 'GET' | 'POST',
      url: request.path,
      headers: request.headers,
      ...(request.body.length > 0 ? { payload: request.body } : {}),
    });
    let json: any;
    try {
      json = JSON.parse(response.body);
    } catch {
      json = undefined;
    }
    return { statusCode: response.statusCode, headers: response.headers, json, text: response.body };
  };

  return {
    app,
    clock,
    auditEvents,
    store,
    keys,
    identities,
    accessKeys,
    region: scope.region,
    accountId: scope.accountId,
    send,
    addAccessKey: async (credentials, principal) => {
      const secret = Buffer.from(credentials.accessKeySecret, 'utf8');
      const sealedSecret = await rootKey.seal(secret, SealPurpose.AccessKeySecret, credentials.accessKeyId);
      await store.putAccessKey({ accessKeyId: credentials.accessKeyId, sealedSecret, principal, enabled: true, creationDate: clock.now() });
    },
    call: (action, params = {}, callOptions = {}) => {
      const pairs = Object.entries(params).map(([name, value]) => [name, wireValue(value)] as [string, string]);
      const credentials = callOptions.accessKey ?? ADMIN_CREDENTIALS;
      const request =
        callOptions.signature === 'HMAC-SHA1'
          ? signV1({
              credentials,
              host: INJECT_HOST,
              method: callOptions.method ?? 'GET',
              action,
              params: pairs,
              timestamp: clock.now(),
              ...(callOptions.version ? { version: callOptions.version } : {}),
            })
          : signAcs3({
              credentials,
              host: INJECT_HOST,
              method: callOptions.method ?? 'POST',
              action,
              query: pairs,
              date: clock.now(),
              ...(callOptions.version ? { version: callOptions.version } : {}),
            });
      return send(request);
    },
    close: () => app.close(),
  };
}

function wireValue(value: ParamValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
