import type { KeyReference } from '../domain/key-reference.js';

/**
 * Where the server runs, as AWS Arns name it: a region and a 12-digit account, from the
 * `aws.region` and `aws.account-id` settings. A key's AWS Arn is derived from them and its id,
 * so it stays the same for the key's life as long as the settings do (the data directory pins
 * them: see the AWS scope pin in src/bootstrap).
 */
export interface AwsScope {
  readonly region: string;
  readonly accountId: string;
}

export function awsKeyArn(scope: AwsScope, keyId: string): string {
  return `arn:aws:kms:${scope.region}:${scope.accountId}:key/${keyId}`;
}

export function awsAliasArn(scope: AwsScope, aliasName: string): string {
  return `arn:aws:kms:${scope.region}:${scope.accountId}:${aliasName}`;
}

/** Which names an input accepts: AWS's management operations take a key id or key Arn only. */
export type KeyNaming = 'key-or-alias' | 'key-only';

/**
 * Reads a KeyId input: a key id, a key Arn, `alias/…` or an alias Arn. An Arn of another
 * partition, region or account names no key here (AWS: NotFoundException); so does an alias
 * where the operation takes keys only.
 */
export function parseAwsKeyReference(scope: AwsScope, value: string, naming: KeyNaming): KeyReference {
  const prefix = `arn:aws:kms:${scope.region}:${scope.accountId}:`;
  const local = value.startsWith(prefix) ? value.slice(prefix.length) : value;
  if (local !== value && !local.startsWith('key/') && !local.startsWith('alias/')) return { kind: 'foreign' };
  if (local === value && value.startsWith('arn:')) return { kind: 'foreign' };
  if (local.startsWith('alias/')) return naming === 'key-only' ? { kind: 'foreign' } : { kind: 'alias', aliasName: local };
  if (local.startsWith('key/')) return { kind: 'keyId', keyId: local.slice('key/'.length) };
  return { kind: 'keyId', keyId: local };
}

/** An AliasName input: `alias/…` or an alias Arn of this scope, as the alias name. */
export function aliasNameOf(scope: AwsScope, value: string): string {
  const prefix = `arn:aws:kms:${scope.region}:${scope.accountId}:`;
  return value.startsWith(prefix) ? value.slice(prefix.length) : value;
}
