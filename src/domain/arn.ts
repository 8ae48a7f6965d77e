/**
 * Where the server runs, as resource names say it. Arca names its resources as Alibaba's RAM
 * does (`acs:kms:<region>:<account>:<resource>`): policies, the audit trail and responses all
 * use these names, whatever the protocol of the request.
 */
export interface ArnScope {
  readonly region: string;
  readonly accountId: string;
}

export function keyArn(scope: ArnScope, keyId: string): string {
  return `acs:kms:${scope.region}:${scope.accountId}:key/${keyId}`;
}

export function aliasArn(scope: ArnScope, aliasName: string): string {
  return `acs:kms:${scope.region}:${scope.accountId}:${aliasName}`;
}

/** The account's keys as a whole (CreateKey, ListKeys). */
export function keyCollectionArn(scope: ArnScope): string {
  return `acs:kms:${scope.region}:${scope.accountId}:key`;
}

/** The account's aliases as a whole (ListAliases). */
export function aliasCollectionArn(scope: ArnScope): string {
  return `acs:kms:${scope.region}:${scope.accountId}:alias`;
}

/** Actions on no resource (DescribeRegions, GetRandomPassword): `*`, as RAM writes it. */
export const ANY_RESOURCE = '*';
