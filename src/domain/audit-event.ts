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
