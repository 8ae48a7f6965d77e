import type { ArnScope } from '../domain/arn.js';
import type { KeyReference } from '../domain/key-reference.js';

/**
 * Reads a KeyId parameter, which may be a key id, an alias, a key Arn or an alias Arn.
 * Anything that is not an Arn or an alias is taken as a key id and looked up as given.
 */
export function parseKeyReference(scope: ArnScope, value: string): KeyReference {
  if (value.startsWith('alias/')) return { kind: 'alias', aliasName: value };
  if (!value.startsWith('acs:')) return { kind: 'keyId', keyId: value };
  const parts = value.split(':');
  const [acs, service, region, accountId, resource] = parts;
  if (parts.length !== 5 || acs !== 'acs' || service !== 'kms' || resource === undefined) return { kind: 'foreign' };
  if (region !== scope.region || accountId !== scope.accountId) return { kind: 'foreign' };
  if (resource.startsWith('key/')) return { kind: 'keyId', keyId: resource.slice('key/'.length) };
  if (resource.startsWith('alias/')) return { kind: 'alias', aliasName: resource };
  return { kind: 'foreign' };
}
