/**
 * RAM identities (docs/adr/0027): users, their groups, custom policies with versions, and which
 * policies are attached to which user or group. Dates are milliseconds since the epoch; an
 * optional text the caller left out is stored as ''. Nothing here is secret: access-key secrets
 * stay sealed in their `AccessKeyRecord`.
 */

export const PolicyType = { System: 'System', Custom: 'Custom' } as const;
export type PolicyType = (typeof PolicyType)[keyof typeof PolicyType];

export interface RamUser {
  /** Arca's own id, stable across renames: 16 digits, as RAM's. */
  readonly userId: string;
  readonly userName: string;
  readonly displayName: string;
  readonly email: string;
  readonly mobilePhone: string;
  readonly comments: string;
  readonly createDate: number;
  readonly updateDate: number;
}

export interface RamGroup {
  readonly groupId: string;
  readonly groupName: string;
  readonly comments: string;
  readonly createDate: number;
  readonly updateDate: number;
}

/** A group a user belongs to, and since when. */
export interface GroupMembership {
  readonly group: RamGroup;
  readonly joinDate: number;
}

/** A custom policy's record; its documents are its versions. */
export interface CustomPolicy {
  readonly policyName: string;
  readonly description: string;
  /** `v1`, `v2` …: the version that is in force. */
  readonly defaultVersion: string;
  readonly createDate: number;
  readonly updateDate: number;
}

export interface PolicyVersion {
  /** `v<n>`: numbers are never reused within a policy, as RAM's. */
  readonly versionId: string;
  /** The document's JSON text, as the caller wrote it. */
  readonly document: string;
  readonly createDate: number;
}

/** A policy as attachments name it. */
export interface PolicyRef {
  readonly policyType: PolicyType;
  readonly policyName: string;
}

export interface PolicyAttachment extends PolicyRef {
  readonly attachDate: number;
}

/** What a policy is attached to. */
export interface AttachmentTarget {
  readonly kind: 'user' | 'group';
  /** The user's or group's id. */
  readonly id: string;
}

/**
 * A policy in force for a user, as the store reads it: for a custom policy its default version
 * and that version's document; a system policy's document is Arca's own (system-policies.ts).
 */
export interface StoredUserPolicy extends PolicyRef {
  readonly version?: PolicyVersion;
}

/** `acs:ram::<account>:user/<name>`: the principal of a RAM user's requests. */
export function ramUserArn(accountId: string, userName: string): string {
  return `acs:ram::${accountId}:user/${userName}`;
}

export function ramGroupArn(accountId: string, groupName: string): string {
  return `acs:ram::${accountId}:group/${groupName}`;
}

export function ramPolicyArn(accountId: string, policyName: string): string {
  return `acs:ram::${accountId}:policy/${policyName}`;
}

/** The user name of a RAM user principal of `accountId`, or undefined for any other principal. */
export function userNameOfPrincipal(accountId: string, principal: string): string | undefined {
  const prefix = `acs:ram::${accountId}:user/`;
  return principal.startsWith(prefix) ? principal.slice(prefix.length) : undefined;
}

/** At most two access keys per user, so that one can be rotated while the other works. */
export const MAX_ACCESS_KEYS_PER_USER = 2;
/** RAM: "A custom policy can have a maximum of five versions." */
export const MAX_VERSIONS_PER_POLICY = 5;
