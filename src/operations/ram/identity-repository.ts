import { randomInt } from 'node:crypto';
import { KmsError, type ErrorKind } from '../../domain/errors.js';
import {
  MAX_ACCESS_KEYS_PER_USER,
  MAX_VERSIONS_PER_POLICY,
  ramUserArn,
  userNameOfPrincipal,
  type AttachmentTarget,
  type CustomPolicy,
  type GroupMembership,
  type PolicyAttachment,
  type PolicyRef,
  type PolicyVersion,
  type RamGroup,
  type RamUser,
} from '../../domain/identity.js';
import {
  IdentityConflictError,
  type AccessKeyRecord,
  type Clock,
  type IdentityConflictReason,
  type IdentityStore,
  type SecretSealer,
} from '../../domain/ports.js';
import { SealPurpose } from '../../domain/seal-purposes.js';
import type { AttachedPolicy, PolicySource } from '../../policy/policy-source.js';
import { AccessKeys, type AccessKeyCredentials } from '../access-keys.js';
import type { Invalidation } from '../key-repository.js';
import { LruCache } from '../lru-cache.js';
import { systemPolicyNamed } from './system-policies.js';

/** How many users' policy lists stay cached. */
const MAX_CACHED_USERS = 10_000;

/** What each refusal of the store means to a caller, unless the call says otherwise. */
const KIND_OF_REASON: Readonly<Record<IdentityConflictReason, ErrorKind>> = {
  'user-exists': 'UserExists',
  'user-missing': 'UserNotFound',
  'user-has-access-keys': 'UserHasAccessKeys',
  'user-has-policies': 'UserHasPolicies',
  'user-in-groups': 'UserInGroups',
  'access-key-limit': 'AccessKeyLimitExceeded',
  'access-key-missing': 'UserAccessKeyNotFound',
  'group-exists': 'GroupExists',
  'group-missing': 'GroupNotFound',
  'member-exists': 'MembershipExists',
  'member-missing': 'MembershipNotFound',
  'policy-exists': 'PolicyExists',
  'policy-missing': 'PolicyNotFound',
  'policy-version-missing': 'PolicyVersionNotFound',
  'policy-version-limit': 'PolicyVersionLimitExceeded',
  'policy-version-default': 'DefaultPolicyVersionUndeletable',
  'policy-has-versions': 'PolicyHasVersions',
  'policy-attached-to-user': 'PolicyAttachedToUsers',
  'policy-attached-to-group': 'PolicyAttachedToGroups',
  'attachment-exists': 'UserPolicyAttached',
  'attachment-missing': 'UserPolicyNotAttached',
};

const GROUP_ATTACHMENT_KINDS: Partial<Record<IdentityConflictReason, ErrorKind>> = {
  'attachment-exists': 'GroupPolicyAttached',
  'attachment-missing': 'GroupPolicyNotAttached',
};

/** A store refusal as the catalog error it means; anything else is rethrown as it is. */
async function refusingAsCatalog<T>(work: Promise<T>, overrides: Partial<Record<IdentityConflictReason, ErrorKind>> = {}): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof IdentityConflictError) throw new KmsError(overrides[error.reason] ?? KIND_OF_REASON[error.reason]);
    throw error;
  }
}

/** 16 digits, as RAM's user and group ids. */
function newNumericId(): string {
  return `${randomInt(1, 10)}${Array.from({ length: 15 }, () => randomInt(0, 10)).join('')}`;
}

interface CachedPolicies {
  readonly revision: number;
  readonly policies: readonly AttachedPolicy[];
}

/** A new access key's record and, this once, its secret. */
export interface CreatedAccessKey {
  readonly record: AccessKeyRecord;
  readonly credentials: AccessKeyCredentials;
}

/**
 * The RAM operations' only way to identities (docs/adr/0027), and the authorisation point's source
 * of a user's policies. Every write goes through it: a store refusal becomes its catalog error,
 * and once stored the change is announced (`onWrite`), so the cluster's other workers drop their
 * cached policy lists at once. Reads of a user's policies are cached per user and checked against
 * the store's identity revision (one read) on every call, so a change made by any process,
 * announced or not, is in force from the next request on.
 */
export class IdentityRepository implements PolicySource {
  readonly #store: IdentityStore;
  readonly #sealer: SecretSealer;
  readonly #clock: Clock;
  readonly #accountId: string;
  readonly #policies = new LruCache<string, CachedPolicies>(MAX_CACHED_USERS);
  readonly #writeListeners: ((change: Invalidation) => void)[] = [];

  constructor(store: IdentityStore, sealer: SecretSealer, clock: Clock, accountId: string) {
    this.#store = store;
    this.#sealer = sealer;
    this.#clock = clock;
    this.#accountId = accountId;
  }

  get accountId(): string {
    return this.#accountId;
  }

  /** Hears every write, once stored (the way to tell the other workers). */
  onWrite(listener: (change: Invalidation) => void): void {
    this.#writeListeners.push(listener);
  }

  /** Drops every cached policy list: another process changed an identity. */
  invalidate(): void {
    this.#policies.deleteWhere(() => true);
  }

  userArn(userName: string): string {
    return ramUserArn(this.#accountId, userName);
  }

  /** The RAM user name of a caller's principal, or undefined for the administrator and Arca itself. */
  userNameOf(principal: string): string | undefined {
    return userNameOfPrincipal(this.#accountId, principal);
  }

  // ---- the policy source

  async policiesOfUser(userArn: string): Promise<readonly AttachedPolicy[]> {
    const userName = this.userNameOf(userArn);
    if (userName === undefined) return [];
    const revision = await this.#store.revision();
    const cached = this.#policies.get(userArn);
    if (cached?.revision === revision) return cached.policies;
    const user = await this.#store.getUser(userName);
    const policies = user ? await this.#inForce(user.userId) : [];
    this.#policies.set(userArn, { revision, policies });
    return policies;
  }

  async #inForce(userId: string): Promise<readonly AttachedPolicy[]> {
    const stored = await this.#store.policiesOfUser(userId);
    return stored.flatMap((entry): AttachedPolicy[] => {
      const version = entry.policyType === 'System' ? systemPolicyNamed(entry.policyName)?.version : entry.version;
      if (!version) return [];
      return [{ policyType: entry.policyType, policyName: entry.policyName, versionId: version.versionId, document: version.document }];
    });
  }

  // ---- users

  async user(userName: string): Promise<RamUser> {
    const user = await this.#store.getUser(userName);
    if (!user) throw new KmsError('UserNotFound');
    return user;
  }

  listUsers(afterName: string | undefined, limit: number): Promise<RamUser[]> {
    return this.#store.listUsers(afterName, limit);
  }

  async createUser(fields: Omit<RamUser, 'userId' | 'createDate' | 'updateDate'>): Promise<RamUser> {
    const now = this.#now();
    const user: RamUser = { ...fields, userId: newNumericId(), createDate: now, updateDate: now };
    await this.#written(this.#store.createUser(user));
    return user;
  }

  /** Stores `user` (found by its id) with a new update date; its access keys follow a rename. */
  async updateUser(user: RamUser): Promise<RamUser> {
    const updated: RamUser = { ...user, updateDate: this.#now() };
    await this.#written(this.#store.updateUser(updated, this.userArn(updated.userName)));
    return updated;
  }

  async deleteUser(userName: string): Promise<void> {
    const user = await this.user(userName);
    await this.#written(this.#store.deleteUser(user.userId));
  }

  // ---- access keys

  /** A new Active key for the user, its secret sealed at rest and handed back this once. */
  async createAccessKey(userName: string): Promise<CreatedAccessKey> {
    const user = await this.user(userName);
    const credentials = AccessKeys.generateCredentials();
    const record: AccessKeyRecord = {
      accessKeyId: credentials.accessKeyId,
      sealedSecret: await this.#sealer.seal(
        Buffer.from(credentials.accessKeySecret, 'utf8'),
        SealPurpose.AccessKeySecret,
        credentials.accessKeyId,
      ),
      principal: this.userArn(user.userName),
      enabled: true,
      creationDate: this.#now(),
    };
    await this.#written(this.#store.createUserAccessKey(user.userId, record, MAX_ACCESS_KEYS_PER_USER), {
      kind: 'accessKey',
      accessKeyId: record.accessKeyId,
    });
    return { record, credentials };
  }

  async listAccessKeys(userName: string): Promise<AccessKeyRecord[]> {
    const user = await this.user(userName);
    return this.#store.listUserAccessKeys(user.userId);
  }

  async setAccessKeyEnabled(userName: string, accessKeyId: string, enabled: boolean): Promise<void> {
    const user = await this.user(userName);
    await this.#written(this.#store.setUserAccessKeyEnabled(user.userId, accessKeyId, enabled), { kind: 'accessKey', accessKeyId });
  }

  async deleteAccessKey(userName: string, accessKeyId: string): Promise<void> {
    const user = await this.user(userName);
    await this.#written(this.#store.deleteUserAccessKey(user.userId, accessKeyId), { kind: 'accessKey', accessKeyId });
  }

  // ---- groups

  async group(groupName: string): Promise<RamGroup> {
    const group = await this.#store.getGroup(groupName);
    if (!group) throw new KmsError('GroupNotFound');
    return group;
  }

  async createGroup(groupName: string, comments: string): Promise<RamGroup> {
    const now = this.#now();
    const group: RamGroup = { groupId: newNumericId(), groupName, comments, createDate: now, updateDate: now };
    await this.#written(this.#store.createGroup(group));
    return group;
  }

  async addUserToGroup(userName: string, groupName: string): Promise<void> {
    const [user, group] = [await this.user(userName), await this.group(groupName)];
    await this.#written(this.#store.addUserToGroup(group.groupId, user.userId, this.#now()));
  }

  async removeUserFromGroup(userName: string, groupName: string): Promise<void> {
    const [user, group] = [await this.user(userName), await this.group(groupName)];
    await this.#written(this.#store.removeUserFromGroup(group.groupId, user.userId));
  }

  async groupsForUser(userName: string): Promise<GroupMembership[]> {
    const user = await this.user(userName);
    return this.#store.listGroupsForUser(user.userId);
  }

  // ---- custom policies

  getPolicy(policyName: string): Promise<CustomPolicy | undefined> {
    return this.#store.getPolicy(policyName);
  }

  listPolicies(afterName: string | undefined, limit: number): Promise<CustomPolicy[]> {
    return this.#store.listPolicies(afterName, limit);
  }

  listPolicyVersions(policyName: string): Promise<PolicyVersion[]> {
    return this.#store.listPolicyVersions(policyName);
  }

  countAttachments(policy: PolicyRef): Promise<number> {
    return this.#store.countAttachments(policy);
  }

  async createPolicy(policyName: string, description: string, document: string): Promise<{ policy: CustomPolicy; version: PolicyVersion }> {
    // A custom policy may not take a system policy's name: attachments name a policy by type and name.
    if (systemPolicyNamed(policyName)) throw new KmsError('PolicyExists');
    const now = this.#now();
    const policy: CustomPolicy = { policyName, description, defaultVersion: 'v1', createDate: now, updateDate: now };
    const version: PolicyVersion = { versionId: 'v1', document, createDate: now };
    await this.#written(this.#store.createPolicy(policy, version));
    return { policy, version };
  }

  async addPolicyVersion(
    policyName: string,
    document: string,
    setAsDefault: boolean,
    deleteOldestWhenFull: boolean,
  ): Promise<PolicyVersion> {
    return this.#written(
      this.#store.addPolicyVersion(policyName, document, this.#now(), {
        setAsDefault,
        deleteOldestWhenFull,
        maxVersions: MAX_VERSIONS_PER_POLICY,
      }),
    );
  }

  async deletePolicyVersion(policyName: string, versionId: string): Promise<void> {
    await this.#written(this.#store.deletePolicyVersion(policyName, versionId));
  }

  async deletePolicy(policyName: string, cascade: boolean): Promise<void> {
    await this.#written(this.#store.deletePolicy(policyName, cascade));
  }

  // ---- attachments

  async attachToUser(userName: string, policy: PolicyRef): Promise<void> {
    const user = await this.user(userName);
    await this.#attach({ kind: 'user', id: user.userId }, policy);
  }

  async attachToGroup(groupName: string, policy: PolicyRef): Promise<void> {
    const group = await this.group(groupName);
    await this.#attach({ kind: 'group', id: group.groupId }, policy);
  }

  async detachFromUser(userName: string, policy: PolicyRef): Promise<void> {
    const user = await this.user(userName);
    await this.#written(this.#store.detachPolicy({ kind: 'user', id: user.userId }, policy));
  }

  async detachFromGroup(groupName: string, policy: PolicyRef): Promise<void> {
    const group = await this.group(groupName);
    await this.#written(this.#store.detachPolicy({ kind: 'group', id: group.groupId }, policy), undefined, GROUP_ATTACHMENT_KINDS);
  }

  async policiesAttachedToUser(userName: string): Promise<PolicyAttachment[]> {
    const user = await this.user(userName);
    return this.#store.listAttachments({ kind: 'user', id: user.userId });
  }

  async #attach(target: AttachmentTarget, policy: PolicyRef): Promise<void> {
    if (policy.policyType === 'System' && !systemPolicyNamed(policy.policyName)) throw new KmsError('PolicyNotFound');
    const attachment: PolicyAttachment = { ...policy, attachDate: this.#now() };
    await this.#written(this.#store.attachPolicy(target, attachment), undefined, target.kind === 'group' ? GROUP_ATTACHMENT_KINDS : {});
  }

  /**
   * Awaits a store write, turning its refusal into the catalog error; once it is stored, this
   * process forgets its cached policy lists and the change is announced.
   */
  async #written<T>(
    work: Promise<T>,
    change: Invalidation = { kind: 'identities' },
    overrides: Partial<Record<IdentityConflictReason, ErrorKind>> = {},
  ): Promise<T> {
    const result = await refusingAsCatalog(work, overrides);
    this.invalidate();
    for (const listener of this.#writeListeners) listener(change);
    // An access-key change is also an identity change for the other workers' policy caches.
    if (change.kind !== 'identities') for (const listener of this.#writeListeners) listener({ kind: 'identities' });
    return result;
  }

  #now(): number {
    // RAM's dates have whole seconds.
    return Math.floor(this.#clock.now() / 1000) * 1000;
  }
}
