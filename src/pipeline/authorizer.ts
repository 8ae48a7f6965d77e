import { KmsError } from '../domain/errors.js';
import { ADMIN_PRINCIPAL, SYSTEM_PRINCIPAL } from '../domain/principals.js';
import type { Caller } from '../operations/operation.js';

export { ADMIN_PRINCIPAL, SYSTEM_PRINCIPAL } from '../domain/principals.js';

/** One question to the authorisation point: may `caller` run `action` on `resourceArn`? */
export interface AuthorizationRequest {
  readonly caller: Caller;
  readonly action: string;
  readonly resourceArn: string;
}

/**
 * The one point that decides whether a request may go on. The runner asks it once for every
 * resource an operation declares, before the operation runs; nothing else decides. Throws
 * `KmsError` AccessDenied to refuse.
 */
export interface Authorizer {
  authorize(request: AuthorizationRequest): void | Promise<void>;
}

/**
 * Until access policies arrive: the administrator (and Arca's own jobs) may do everything,
 * nobody else anything.
 */
export const administratorOnly: Authorizer = {
  authorize({ caller }: AuthorizationRequest): void {
    if (caller.principal !== ADMIN_PRINCIPAL && caller.principal !== SYSTEM_PRINCIPAL) throw new KmsError('AccessDenied');
  },
};
