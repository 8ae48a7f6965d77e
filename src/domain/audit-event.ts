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
}

/**
 * Where audit events go. `emit` is called once per request, after its response is decided and
 * before it is sent; it must not throw (a sink that fails logs its own failure) and should not
 * block the event loop for long.
 */
export interface AuditSink {
  emit(event: AuditEvent): void;
}
