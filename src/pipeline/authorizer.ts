import type { AuditDecision } from '../domain/audit-event.js';
import type { EncryptionContext } from '../domain/encryption-context.js';
import { KmsError } from '../domain/errors.js';
import type { Key } from '../domain/key.js';
import { ADMIN_PRINCIPAL, SYSTEM_PRINCIPAL } from '../domain/principals.js';
import type { Caller } from '../operations/operation.js';

export { ADMIN_PRINCIPAL, SYSTEM_PRINCIPAL } from '../domain/principals.js';

/** What the request says of itself, for the condition keys of access policies. */
export interface RequestConditionFacts {
  /** The caller's address: the TCP peer, or X-Forwarded-For when the peer is a trusted proxy. */
  readonly sourceIp: string | undefined;
  /** Whether the request came over TLS (as a trusted proxy reports it, when one forwarded it). */
  readonly secureTransport: boolean;
  /** When the request is decided, in milliseconds since the epoch. */
  readonly currentTime: number;
}

/** One question to the authorisation point: may `caller` run `action` on `resourceArn`? */
export interface AuthorizationRequest {
  readonly caller: Caller;
  /** The operation's action (`Encrypt`, `ReEncrypt`); the authoriser maps it to its own names. */
  readonly action: string;
  /** The resource's role in the operation (`key`, `source`, `destination`, `alias`, `alias-target`, `keys` …). */
  readonly role: string;
  readonly resourceArn: string;
  /** The key the resource is (resolved, its alias or Arn followed): its tags and key policy. */
  readonly key?: Key;
  /** The encryption context the request names for this resource, for the actions that take one. */
  readonly encryptionContext?: EncryptionContext;
  readonly facts: RequestConditionFacts;
}

/**
 * What the authorisation point decided. `allowed: false` is a refusal: the runner records the
 * decision in the audit event and refuses with `DeniedByPolicy`. An authoriser may also refuse by
 * throwing a `KmsError` (administrator-only does), and returns nothing when it allows without a
 * decision worth recording.
 */
export interface AuthorizationVerdict {
  readonly allowed: boolean;
  /** The decision for the audit event (never for the caller). */
  readonly decision?: AuditDecision;
}

/**
 * The one point that decides whether a request may go on. The runner asks it once for every
 * resource an operation declares, before the operation runs; nothing else decides.
 */
export interface Authorizer {
  authorize(request: AuthorizationRequest): AuthorizationVerdict | void | Promise<AuthorizationVerdict | void>;
}

/**
 * Before any RAM user exists: the administrator (and Arca's own jobs) may do everything, nobody
 * else anything.
 */
export const administratorOnly: Authorizer = {
  authorize({ caller }: AuthorizationRequest): void {
    if (caller.principal !== ADMIN_PRINCIPAL && caller.principal !== SYSTEM_PRINCIPAL) throw new KmsError('AccessDenied');
  },
};
