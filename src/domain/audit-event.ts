import type { ErrorKind } from './errors.js';

/** Who made a request, as the audit trail records it. */
export interface AuditIdentity {
  /** `access-key` for a signed request, `system` for Arca's own jobs, `anonymous` when no signature verified. */
  readonly type: 'access-key' | 'system' | 'anonymous';
  /** The principal behind the access key, once it verified. */
  readonly principal?: string;
  /** The access key the request named (verified or not: a refused request records the claimed id). */
  readonly accessKeyId?: string;
}

/**
 * What an access policy decided about one resource of a request (RAM users only: the
 * administrator and Arca's own jobs are not evaluated). Recorded here and never told the caller.
 */
export interface AuditDecision {
  readonly effect: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  /** The RAM action asked about (`kms:ReEncryptFrom`); undefined for an action that needs no authorisation. */
  readonly ramAction: string | undefined;
  /** Where the deciding statement is: `identity` (a policy of the user or its groups) or `key` (the key policy). */
  readonly policySource?: 'identity' | 'key';
  /** The deciding policy's name (`default` for a key policy); absent for an implicit deny. */
  readonly policyName?: string;
  readonly policyType?: 'System' | 'Custom';
  /** The deciding statement's Sid, when it has one. */
  readonly sid?: string;
}

/** One resource a request acted on. Never holds plaintext, ciphertext, or key material. */
export interface AuditResource {
  /** What the operation calls it: `key`, `source`, `destination`, `alias`, `keys` … */
  readonly role: string;
  /** The resource's name as policies see it (an Arn). */
  readonly arn: string;
  readonly keyId?: string;
  /** The key version used, when one was (the version that sealed or opened). */
  keyVersionId?: string;
  readonly aliasName?: string;
  /** What the access policies decided about this resource, for a RAM user's request. */
  decision?: AuditDecision;
}

/**
 * The one record of one request or job action: exactly one event for every API request (allowed,
 * denied, throttled, badly signed or malformed) and for every job action. Secrets never enter it.
 */
export interface AuditEvent {
  readonly eventId: string;
  /** Milliseconds since the epoch, when the request arrived. */
  readonly eventTime: number;
  /** `alibaba` (the Alibaba KMS API) or `job`; a second front end adds its own. */
  readonly source: string;
  readonly requestId: string;
  /** The action, as named by the request or the job; undefined when the request named none. */
  readonly action: string | undefined;
  readonly identity: AuditIdentity;
  readonly resources: readonly AuditResource[];
  /** `Success`, or the error code the caller received. */
  readonly result: string;
  /** The catalog kind behind a failure. */
  readonly errorKind?: ErrorKind;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly durationMs: number;
  /** `Read` or `Write` (ActionTrail's eventRW): whether the action may change what Arca holds. */
  readonly eventRW?: EventReadWrite;
  /** The region named in Arns (ActionTrail's acsRegion). */
  readonly acsRegion?: string;
  /**
   * The request's parameters as the trail may keep them: non-secret values (capped in length),
   * and a keyed digest (`hmac-sha256:<hex>`) of an encryption context or a ciphertext blob in
   * place of its value. Absent for a caller that never authenticated; a failed request keeps
   * the digests only. Never a plaintext, a data key, key material, an import token or a signature.
   */
  readonly requestParameters?: Readonly<Record<string, string>>;
  /** The catalog's message for a failure, as the caller received it. */
  readonly errorMessage?: string;
}

export type EventReadWrite = 'Read' | 'Write';

/**
 * One request parameter as a front end hands it to the trail: a value safe to keep, or bytes the
 * runner replaces with their keyed digest (an encryption context's canonical form, a ciphertext
 * blob), so that equal values correlate without the trail holding them.
 */
export type AuditedParameter =
  { readonly name: string; readonly value: string } | { readonly name: string; readonly digestOf: Buffer; readonly purpose: string };

/**
 * What the trail records before a Write action takes effect, so that a request whose event cannot
 * be written has changed nothing (docs/adr/0028): the same eventId as the event that follows.
 */
export interface AuditIntent {
  readonly eventId: string;
  readonly eventTime: number;
  readonly source: string;
  readonly requestId: string;
  readonly action: string;
  readonly identity: AuditIdentity;
  readonly resources: readonly AuditResource[];
}

/**
 * Where audit events go. `emit` is called once per request, after its response is decided and
 * before it is sent; it must not throw (a sink that fails logs its own failure) and should not
 * block the event loop for long.
 */
export interface AuditSink {
  emit(event: AuditEvent): void;
}

/**
 * The durable, tamper-evident trail (docs/adr/0028). Both methods resolve only once what they
 * were given is durable, and reject when it could not be written: the request then fails with
 * InternalFailure. `recordIntent` comes before a Write action's effect, `record` before any
 * response leaves.
 */
export interface AuditTrail {
  recordIntent(intent: AuditIntent): Promise<void>;
  record(event: AuditEvent): Promise<void>;
}

/** What `ListAuditEvents` asks of the trail. */
export interface AuditEventQuery {
  /** Milliseconds since the epoch, inclusive; the trail's start when absent. */
  readonly since?: number;
  /** Milliseconds since the epoch, exclusive; now when absent. */
  readonly until?: number;
  readonly eventName?: string;
  /** 1 to 100. */
  readonly maxResults: number;
  /** Where the previous page ended, as the reader gave it. */
  readonly nextToken?: string;
}

export interface AuditEventPage {
  /** Each event as the trail keeps it (ActionTrail's field names), oldest first. */
  readonly events: readonly Readonly<Record<string, unknown>>[];
  /** Present when more events may follow. */
  readonly nextToken?: string;
}

/**
 * Pages through the trail's events for an authorised caller. A `nextToken` this reader did not
 * give is refused with KmsError InvalidInput naming `NextToken`.
 */
export interface AuditEventReader {
  listEvents(query: AuditEventQuery): Promise<AuditEventPage>;
}
