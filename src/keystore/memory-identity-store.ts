import type {
  AttachmentTarget,
  CustomPolicy,
  GroupMembership,
  PolicyAttachment,
  PolicyRef,
  PolicyVersion,
  RamGroup,
  RamUser,
  StoredUserPolicy,
} from '../domain/identity.js';
import { IdentityConflictError, type AccessKeyRecord, type IdentityStore, type NewPolicyVersionOptions } from '../domain/ports.js';
import { requireValidLimit, settle } from './store-support.js';

/** The access-key records of the store this one lives in: a user's keys are ordinary records. */
export interface AccessKeyMap {
  get(accessKeyId: string): AccessKeyRecord | undefined;
  set(accessKeyId: string, record: AccessKeyRecord): void;
  delete(accessKeyId: string): void;
}

interface StoredPolicy {
  policy: CustomPolicy;
  versions: PolicyVersion[];
  /** The highest version number ever used: numbers are not reused after a deletion. */
  lastVersionNumber: number;
}

interface Member {
  readonly userId: string;
  readonly joinDate: number;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const policyKey = (ref: PolicyRef): string => `${ref.policyType}:${ref.policyName}`;
const targetKey = (target: AttachmentTarget): string => `${target.kind}:${target.id}`;

/**
 * The IdentityStore of `MemoryKeyStore`. Every method runs without awaiting, so it is atomic; it
 * checks all its conditions before it changes anything, and records are copied in and out.
 */
export class MemoryIdentityStore implements IdentityStore {
  readonly #accessKeys: AccessKeyMap;
  readonly #users = new Map<string, RamUser>();
  /** user id → access key ids, oldest first. */
  readonly #userKeys = new Map<string, string[]>();
  readonly #groups = new Map<string, RamGroup>();
  /** group id → members. */
  readonly #members = new Map<string, Member[]>();
  readonly #policies = new Map<string, StoredPolicy>();
  /** target key → attachments, oldest first. */
  readonly #attachments = new Map<string, PolicyAttachment[]>();
  #revision = 0;

  constructor(accessKeys: AccessKeyMap) {
    this.#accessKeys = accessKeys;
  }

  revision(): Promise<number> {
    return settle(() => this.#revision);
  }

  createUser(user: RamUser): Promise<void> {
    return this.#write(() => {
      if (this.#userNamed(user.userName)) throw new IdentityConflictError('user-exists', user.userName);
      this.#users.set(user.userId, { ...user });
    });
  }

  getUser(userName: string): Promise<RamUser | undefined> {
    return settle(() => {
      const user = this.#userNamed(userName);
      return user && { ...user };
    });
  }

  updateUser(user: RamUser, principal: string): Promise<void> {
    return this.#write(() => {
      const stored = this.#requireUser(user.userId);
      const holder = this.#userNamed(user.userName);
      if (holder && holder.userId !== stored.userId) throw new IdentityConflictError('user-exists', user.userName);
      this.#users.set(user.userId, { ...user });
      for (const accessKeyId of this.#userKeys.get(user.userId) ?? []) {
        const record = this.#accessKeys.get(accessKeyId);
        if (record) this.#accessKeys.set(accessKeyId, { ...record, principal });
      }
    });
  }

  listUsers(afterName: string | undefined, limit: number): Promise<RamUser[]> {
    return settle(() => {
      requireValidLimit(limit);
      return [...this.#users.values()]
        .filter((user) => afterName === undefined || user.userName > afterName)
        .sort((a, b) => byName(a.userName, b.userName))
        .slice(0, limit)
        .map((user) => ({ ...user }));
    });
  }

  deleteUser(userId: string): Promise<void> {
    return this.#write(() => {
      this.#requireUser(userId);
      if ((this.#userKeys.get(userId) ?? []).length > 0) throw new IdentityConflictError('user-has-access-keys', userId);
      if ((this.#attachments.get(targetKey({ kind: 'user', id: userId })) ?? []).length > 0) {
        throw new IdentityConflictError('user-has-policies', userId);
      }
      if (this.#groupIdsOf(userId).length > 0) throw new IdentityConflictError('user-in-groups', userId);
      this.#users.delete(userId);
      this.#userKeys.delete(userId);
    });
  }

  createUserAccessKey(userId: string, record: AccessKeyRecord, maxPerUser: number): Promise<void> {
    return this.#write(() => {
      this.#requireUser(userId);
      const owned = this.#userKeys.get(userId) ?? [];
      if (owned.length >= maxPerUser) throw new IdentityConflictError('access-key-limit', userId);
      this.#accessKeys.set(record.accessKeyId, { ...record, sealedSecret: Buffer.from(record.sealedSecret) });
      this.#userKeys.set(userId, [...owned, record.accessKeyId]);
    });
  }

  listUserAccessKeys(userId: string): Promise<AccessKeyRecord[]> {
    return settle(() =>
      (this.#userKeys.get(userId) ?? []).flatMap((accessKeyId) => {
        const record = this.#accessKeys.get(accessKeyId);
        return record ? [{ ...record, sealedSecret: Buffer.from(record.sealedSecret) }] : [];
      }),
    );
  }

  setUserAccessKeyEnabled(userId: string, accessKeyId: string, enabled: boolean): Promise<void> {
    return this.#write(() => {
      const record = this.#requireUserKey(userId, accessKeyId);
      this.#accessKeys.set(accessKeyId, { ...record, enabled });
    });
  }

  deleteUserAccessKey(userId: string, accessKeyId: string): Promise<void> {
    return this.#write(() => {
      this.#requireUserKey(userId, accessKeyId);
      this.#accessKeys.delete(accessKeyId);
      this.#userKeys.set(
        userId,
        (this.#userKeys.get(userId) ?? []).filter((id) => id !== accessKeyId),
      );
    });
  }

  createGroup(group: RamGroup): Promise<void> {
    return this.#write(() => {
      if (this.#groupNamed(group.groupName)) throw new IdentityConflictError('group-exists', group.groupName);
      this.#groups.set(group.groupId, { ...group });
    });
  }

  getGroup(groupName: string): Promise<RamGroup | undefined> {
    return settle(() => {
      const group = this.#groupNamed(groupName);
      return group && { ...group };
    });
  }

  addUserToGroup(groupId: string, userId: string, joinDate: number): Promise<void> {
    return this.#write(() => {
      this.#requireUser(userId);
      if (!this.#groups.has(groupId)) throw new IdentityConflictError('group-missing', groupId);
      const members = this.#members.get(groupId) ?? [];
      if (members.some((member) => member.userId === userId)) throw new IdentityConflictError('member-exists', userId);
      this.#members.set(groupId, [...members, { userId, joinDate }]);
    });
  }

  removeUserFromGroup(groupId: string, userId: string): Promise<void> {
    return this.#write(() => {
      const members = this.#members.get(groupId) ?? [];
      if (!members.some((member) => member.userId === userId)) throw new IdentityConflictError('member-missing', userId);
      this.#members.set(
        groupId,
        members.filter((member) => member.userId !== userId),
      );
    });
  }

  listGroupsForUser(userId: string): Promise<GroupMembership[]> {
    return settle(() => this.#membershipsOf(userId));
  }

  createPolicy(policy: CustomPolicy, firstVersion: PolicyVersion): Promise<void> {
    return this.#write(() => {
      if (this.#policies.has(policy.policyName)) throw new IdentityConflictError('policy-exists', policy.policyName);
      this.#policies.set(policy.policyName, { policy: { ...policy }, versions: [{ ...firstVersion }], lastVersionNumber: 1 });
    });
  }

  getPolicy(policyName: string): Promise<CustomPolicy | undefined> {
    return settle(() => {
      const stored = this.#policies.get(policyName);
      return stored && { ...stored.policy };
    });
  }

  listPolicies(afterName: string | undefined, limit: number): Promise<CustomPolicy[]> {
    return settle(() => {
      requireValidLimit(limit);
      return [...this.#policies.values()]
        .map((stored) => stored.policy)
        .filter((policy) => afterName === undefined || policy.policyName > afterName)
        .sort((a, b) => byName(a.policyName, b.policyName))
        .slice(0, limit)
        .map((policy) => ({ ...policy }));
    });
  }

  listPolicyVersions(policyName: string): Promise<PolicyVersion[]> {
    return settle(() => (this.#policies.get(policyName)?.versions ?? []).map((version) => ({ ...version })));
  }

  addPolicyVersion(policyName: string, document: string, createDate: number, options: NewPolicyVersionOptions): Promise<PolicyVersion> {
    return this.#write(() => {
      const stored = this.#requirePolicy(policyName);
      let versions = stored.versions;
      if (versions.length >= options.maxVersions) {
        const oldest = versions.find((version) => version.versionId !== stored.policy.defaultVersion);
        if (!options.deleteOldestWhenFull || !oldest) throw new IdentityConflictError('policy-version-limit', policyName);
        versions = versions.filter((version) => version !== oldest);
      }
      const version: PolicyVersion = { versionId: `v${stored.lastVersionNumber + 1}`, document, createDate };
      this.#policies.set(policyName, {
        policy: {
          ...stored.policy,
          updateDate: createDate,
          defaultVersion: options.setAsDefault ? version.versionId : stored.policy.defaultVersion,
        },
        versions: [...versions, version],
        lastVersionNumber: stored.lastVersionNumber + 1,
      });
      return { ...version };
    });
  }

  deletePolicyVersion(policyName: string, versionId: string): Promise<void> {
    return this.#write(() => {
      const stored = this.#requirePolicy(policyName);
      if (!stored.versions.some((version) => version.versionId === versionId)) {
        throw new IdentityConflictError('policy-version-missing', versionId);
      }
      if (stored.policy.defaultVersion === versionId) throw new IdentityConflictError('policy-version-default', versionId);
      stored.versions = stored.versions.filter((version) => version.versionId !== versionId);
    });
  }

  deletePolicy(policyName: string, cascade: boolean): Promise<void> {
    return this.#write(() => {
      const stored = this.#requirePolicy(policyName);
      const ref: PolicyRef = { policyType: 'Custom', policyName };
      const holders = [...this.#attachments.entries()].filter(([, list]) => list.some((a) => policyKey(a) === policyKey(ref)));
      if (!cascade) {
        if (holders.some(([target]) => target.startsWith('user:'))) throw new IdentityConflictError('policy-attached-to-user', policyName);
        if (holders.some(([target]) => target.startsWith('group:')))
          throw new IdentityConflictError('policy-attached-to-group', policyName);
        if (stored.versions.length > 1) throw new IdentityConflictError('policy-has-versions', policyName);
      }
      for (const [target, list] of holders) {
        this.#attachments.set(
          target,
          list.filter((a) => policyKey(a) !== policyKey(ref)),
        );
      }
      this.#policies.delete(policyName);
    });
  }

  countAttachments(policy: PolicyRef): Promise<number> {
    return settle(() => [...this.#attachments.values()].filter((list) => list.some((a) => policyKey(a) === policyKey(policy))).length);
  }

  attachPolicy(target: AttachmentTarget, attachment: PolicyAttachment): Promise<void> {
    return this.#write(() => {
      this.#requireTarget(target);
      if (attachment.policyType === 'Custom') this.#requirePolicy(attachment.policyName);
      const list = this.#attachments.get(targetKey(target)) ?? [];
      if (list.some((a) => policyKey(a) === policyKey(attachment)))
        throw new IdentityConflictError('attachment-exists', attachment.policyName);
      this.#attachments.set(targetKey(target), [...list, { ...attachment }]);
    });
  }

  detachPolicy(target: AttachmentTarget, policy: PolicyRef): Promise<void> {
    return this.#write(() => {
      const list = this.#attachments.get(targetKey(target)) ?? [];
      if (!list.some((a) => policyKey(a) === policyKey(policy))) throw new IdentityConflictError('attachment-missing', policy.policyName);
      this.#attachments.set(
        targetKey(target),
        list.filter((a) => policyKey(a) !== policyKey(policy)),
      );
    });
  }

  listAttachments(target: AttachmentTarget): Promise<PolicyAttachment[]> {
    return settle(() => (this.#attachments.get(targetKey(target)) ?? []).map((a) => ({ ...a })));
  }

  policiesOfUser(userId: string): Promise<StoredUserPolicy[]> {
    return settle(() => {
      const targets: AttachmentTarget[] = [
        { kind: 'user', id: userId },
        ...this.#groupIdsOf(userId).map((id) => ({ kind: 'group' as const, id })),
      ];
      const seen = new Set<string>();
      const policies: StoredUserPolicy[] = [];
      for (const target of targets) {
        for (const attachment of this.#attachments.get(targetKey(target)) ?? []) {
          if (seen.has(policyKey(attachment))) continue;
          seen.add(policyKey(attachment));
          policies.push(this.#inForce(attachment));
        }
      }
      return policies;
    });
  }

  #inForce(ref: PolicyRef): StoredUserPolicy {
    const base = { policyType: ref.policyType, policyName: ref.policyName };
    if (ref.policyType !== 'Custom') return base;
    const stored = this.#policies.get(ref.policyName);
    const version = stored?.versions.find((candidate) => candidate.versionId === stored.policy.defaultVersion);
    return version ? { ...base, version: { ...version } } : base;
  }

  /** Runs a write; when it succeeds the revision moves on. */
  #write<T>(work: () => T): Promise<T> {
    return settle(() => {
      const result = work();
      this.#revision += 1;
      return result;
    });
  }

  #userNamed(userName: string): RamUser | undefined {
    for (const user of this.#users.values()) if (user.userName === userName) return user;
    return undefined;
  }

  #groupNamed(groupName: string): RamGroup | undefined {
    for (const group of this.#groups.values()) if (group.groupName === groupName) return group;
    return undefined;
  }

  #requireUser(userId: string): RamUser {
    const user = this.#users.get(userId);
    if (!user) throw new IdentityConflictError('user-missing', userId);
    return user;
  }

  #requireUserKey(userId: string, accessKeyId: string): AccessKeyRecord {
    const record = this.#accessKeys.get(accessKeyId);
    if (!record || !(this.#userKeys.get(userId) ?? []).includes(accessKeyId))
      throw new IdentityConflictError('access-key-missing', accessKeyId);
    return record;
  }

  #requirePolicy(policyName: string): StoredPolicy {
    const stored = this.#policies.get(policyName);
    if (!stored) throw new IdentityConflictError('policy-missing', policyName);
    return stored;
  }

  #requireTarget(target: AttachmentTarget): void {
    if (target.kind === 'user') this.#requireUser(target.id);
    else if (!this.#groups.has(target.id)) throw new IdentityConflictError('group-missing', target.id);
  }

  #groupIdsOf(userId: string): string[] {
    return [...this.#members.entries()]
      .filter(([, members]) => members.some((member) => member.userId === userId))
      .map(([groupId]) => groupId);
  }

  #membershipsOf(userId: string): GroupMembership[] {
    const memberships: GroupMembership[] = [];
    for (const [groupId, members] of this.#members) {
      const member = members.find((candidate) => candidate.userId === userId);
      const group = this.#groups.get(groupId);
      if (member && group) memberships.push({ group: { ...group }, joinDate: member.joinDate });
    }
    return memberships.sort((a, b) => a.joinDate - b.joinDate || byName(a.group.groupName, b.group.groupName));
  }
}
