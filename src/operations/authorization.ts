import { KmsError } from '../domain/errors.js';
import type { Caller } from './operation.js';

export const ADMIN_PRINCIPAL = 'admin';

/**
 * The one point that decides whether a caller may run an action on a resource. Today every
 * access key is an administrator's; access policies will plug in here, and nowhere else.
 */
export function authorize(caller: Caller, _action: string, _resourceArn: string): void {
  if (caller.principal !== ADMIN_PRINCIPAL) throw new KmsError('ForbiddenNoPermission');
}
