import type Database from 'better-sqlite3';
import type {
  AttachmentTarget,
  CustomPolicy,
  GroupMembership,
  PolicyAttachment,
  PolicyRef,
  PolicyType,
  PolicyVersion,
  RamGroup,
  RamUser,
  StoredUserPolicy,
} from '../../domain/identity.js';
import { IdentityConflictError, type AccessKeyRecord, type IdentityStore, type NewPolicyVersionOptions } from '../../domain/ports.js';
import { requireValidLimit } from '../store-support.js';
import * as sql from './identity-queries.js';
import { accessKeyToRow, rowToAccessKey, type AccessKeyRow, type CountRow } from './rows.js';
import { UPSERT_ACCESS_KEY } from './queries.js';

/** How the key store runs work: writes in its group commit (one savepoint each), reads in a snapshot. */
export interface SqliteTransactions {
  write<T>(work: () => T): Promise<T>;
  read<T>(work: () => T): Promise<T>;
  /** A read of one statement, atomic on its own: no BEGIN and COMMIT to pay for. */
  readOne<T>(work: () => T): Promise<T>;
}

interface UserRow {
  user_id: string;
  user_name: string;
  display_name: string;
  email: string;
  mobile_phone: string;
  comments: string;
  create_date: number;
  update_date: number;
}

interface GroupRow {
  group_id: string;
  group_name: string;
  comments: string;
  create_date: number;
  update_date: number;
}

interface PolicyRow {
  policy_name: string;
  description: string;
  default_version: string;
  create_date: number;
  update_date: number;
  last_version_number: number;
}

interface VersionRow {
  version_number: number;
  document: string;
  create_date: number;
}

interface AttachmentRow {
  policy_type: string;
  policy_name: string;
  attach_date: number;
}

interface TargetParameters {
  target_kind: string;
  target_id: string;
}

interface PolicyRefParameters {
  policy_type: string;
  policy_name: string;
}

// The CHECK constraints keep these two values in the column.
const policyTypeOf = (value: string): PolicyType => (value === 'System' ? 'System' : 'Custom');

const userToRow = (user: RamUser): UserRow => ({
  user_id: user.userId,
  user_name: user.userName,
  display_name: user.displayName,
  email: user.email,
  mobile_phone: user.mobilePhone,
  comments: user.comments,
  create_date: user.createDate,
  update_date: user.updateDate,
});

const rowToUser = (row: UserRow): RamUser => ({
  userId: row.user_id,
  userName: row.user_name,
  displayName: row.display_name,
  email: row.email,
  mobilePhone: row.mobile_phone,
  comments: row.comments,
  createDate: row.create_date,
  updateDate: row.update_date,
});

const groupToRow = (group: RamGroup): GroupRow => ({
  group_id: group.groupId,
  group_name: group.groupName,
  comments: group.comments,
  create_date: group.createDate,
  update_date: group.updateDate,
});

const rowToGroup = (row: GroupRow): RamGroup => ({
  groupId: row.group_id,
  groupName: row.group_name,
  comments: row.comments,
  createDate: row.create_date,
  updateDate: row.update_date,
});

const rowToPolicy = (row: PolicyRow): CustomPolicy => ({
  policyName: row.policy_name,
  description: row.description,
  defaultVersion: row.default_version,
  createDate: row.create_date,
  updateDate: row.update_date,
});

const rowToVersion = (row: VersionRow): PolicyVersion => ({
  versionId: `v${row.version_number}`,
  document: row.document,
  createDate: row.create_date,
});

const targetParameters = (target: AttachmentTarget): TargetParameters => ({ target_kind: target.kind, target_id: target.id });
const policyParameters = (ref: PolicyRef): PolicyRefParameters => ({ policy_type: ref.policyType, policy_name: ref.policyName });
const countOf = (row: CountRow | undefined): number => row?.total_count ?? 0;

/** `v3` → 3; anything else → undefined. */
function versionNumberOf(versionId: string): number | undefined {
  const match = /^v([1-9][0-9]{0,8})$/.exec(versionId);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function prepareStatements(db: Database.Database) {
  return {
    selectRevision: db.prepare<[], { revision: number }>(sql.SELECT_REVISION),
    bumpRevision: db.prepare(sql.BUMP_REVISION),
    insertUser: db.prepare<UserRow>(sql.INSERT_USER),
    selectUserByName: db.prepare<[string], UserRow>(sql.SELECT_USER_BY_NAME),
    selectUserById: db.prepare<[string], UserRow>(sql.SELECT_USER_BY_ID),
    updateUser: db.prepare<UserRow>(sql.UPDATE_USER),
    selectUsersAfter: db.prepare<{ after: string; limit: number }, UserRow>(sql.SELECT_USERS_AFTER),
    deleteUser: db.prepare<[string]>(sql.DELETE_USER),
    upsertAccessKey: db.prepare<AccessKeyRow>(UPSERT_ACCESS_KEY),
    insertUserAccessKey: db.prepare<{ access_key_id: string; user_id: string }>(sql.INSERT_USER_ACCESS_KEY),
    countUserAccessKeys: db.prepare<[string], CountRow>(sql.COUNT_USER_ACCESS_KEYS),
    selectUserAccessKeys: db.prepare<[string], AccessKeyRow>(sql.SELECT_USER_ACCESS_KEYS),
    setUserAccessKeysPrincipal: db.prepare<{ principal: string; user_id: string }>(sql.SET_USER_ACCESS_KEYS_PRINCIPAL),
    setUserAccessKeyEnabled: db.prepare<{ enabled: number; access_key_id: string; user_id: string }>(sql.SET_USER_ACCESS_KEY_ENABLED),
    deleteUserAccessKey: db.prepare<{ access_key_id: string; user_id: string }>(sql.DELETE_USER_ACCESS_KEY),
    insertGroup: db.prepare<GroupRow>(sql.INSERT_GROUP),
    selectGroupByName: db.prepare<[string], GroupRow>(sql.SELECT_GROUP_BY_NAME),
    selectGroupById: db.prepare<[string], GroupRow>(sql.SELECT_GROUP_BY_ID),
    insertMember: db.prepare<{ group_id: string; user_id: string; join_date: number }>(sql.INSERT_MEMBER),
    deleteMember: db.prepare<{ group_id: string; user_id: string }>(sql.DELETE_MEMBER),
    countGroupsOfUser: db.prepare<[string], CountRow>(sql.COUNT_GROUPS_OF_USER),
    selectMembershipsOfUser: db.prepare<[string], GroupRow & { join_date: number }>(sql.SELECT_MEMBERSHIPS_OF_USER),
    insertPolicy: db.prepare<PolicyRow>(sql.INSERT_POLICY),
    selectPolicy: db.prepare<[string], PolicyRow>(sql.SELECT_POLICY),
    selectPoliciesAfter: db.prepare<{ after: string; limit: number }, PolicyRow>(sql.SELECT_POLICIES_AFTER),
    updatePolicyAfterNewVersion: db.prepare<Omit<PolicyRow, 'description' | 'create_date'>>(sql.UPDATE_POLICY_AFTER_NEW_VERSION),
    deletePolicy: db.prepare<[string]>(sql.DELETE_POLICY),
    insertPolicyVersion: db.prepare<{ policy_name: string } & VersionRow>(sql.INSERT_POLICY_VERSION),
    selectPolicyVersions: db.prepare<[string], VersionRow>(sql.SELECT_POLICY_VERSIONS),
    deletePolicyVersion: db.prepare<{ policy_name: string; version_number: number }>(sql.DELETE_POLICY_VERSION),
    insertAttachment: db.prepare<TargetParameters & PolicyRefParameters & { attach_date: number }>(sql.INSERT_ATTACHMENT),
    deleteAttachment: db.prepare<TargetParameters & PolicyRefParameters>(sql.DELETE_ATTACHMENT),
    selectAttachmentsOf: db.prepare<TargetParameters, AttachmentRow>(sql.SELECT_ATTACHMENTS_OF),
    countAttachmentsOfTarget: db.prepare<TargetParameters, CountRow>(sql.COUNT_ATTACHMENTS_OF_TARGET),
    countAttachmentsOfPolicy: db.prepare<PolicyRefParameters, CountRow>(sql.COUNT_ATTACHMENTS_OF_POLICY),
    countAttachmentsOfPolicyByKind: db.prepare<PolicyRefParameters & { target_kind: string }, CountRow>(
      sql.COUNT_ATTACHMENTS_OF_POLICY_BY_KIND,
    ),
    deleteAttachmentsOfPolicy: db.prepare<PolicyRefParameters>(sql.DELETE_ATTACHMENTS_OF_POLICY),
    selectPoliciesOfUser: db.prepare<{ user_id: string }, { policy_type: string; policy_name: string }>(sql.SELECT_POLICIES_OF_USER),
    selectDefaultVersion: db.prepare<[string], VersionRow>(sql.SELECT_DEFAULT_VERSION),
  };
}

/**
 * The IdentityStore of `SqliteKeyStore`, in the same file and connection: its writes join the key
 * store's group commit (each method one savepoint, checked and applied synchronously inside it),
 * so a user's access key and its ownership row commit together, and the per-request access-key
 * read sees them.
 */
export class SqliteIdentityStore implements IdentityStore {
  readonly #statements: ReturnType<typeof prepareStatements>;
  readonly #transactions: SqliteTransactions;

  constructor(db: Database.Database, transactions: SqliteTransactions) {
    this.#statements = prepareStatements(db);
    this.#transactions = transactions;
  }

  // Read on every request of a RAM user: one statement, so no explicit transaction.
  revision(): Promise<number> {
    return this.#transactions.readOne(() => this.#statements.selectRevision.get()?.revision ?? 0);
  }

  createUser(user: RamUser): Promise<void> {
    return this.#write(() => {
      if (this.#statements.selectUserByName.get(user.userName)) throw new IdentityConflictError('user-exists', user.userName);
      this.#statements.insertUser.run(userToRow(user));
    });
  }

  getUser(userName: string): Promise<RamUser | undefined> {
    return this.#transactions.read(() => {
      const row = this.#statements.selectUserByName.get(userName);
      return row && rowToUser(row);
    });
  }

  updateUser(user: RamUser, principal: string): Promise<void> {
    return this.#write(() => {
      this.#requireUser(user.userId);
      const holder = this.#statements.selectUserByName.get(user.userName);
      if (holder && holder.user_id !== user.userId) throw new IdentityConflictError('user-exists', user.userName);
      this.#statements.updateUser.run(userToRow(user));
      this.#statements.setUserAccessKeysPrincipal.run({ principal, user_id: user.userId });
    });
  }

  listUsers(afterName: string | undefined, limit: number): Promise<RamUser[]> {
    return this.#transactions.read(() => {
      requireValidLimit(limit);
      return this.#statements.selectUsersAfter.all({ after: afterName ?? '', limit }).map(rowToUser);
    });
  }

  deleteUser(userId: string): Promise<void> {
    return this.#write(() => {
      this.#requireUser(userId);
      if (countOf(this.#statements.countUserAccessKeys.get(userId)) > 0) throw new IdentityConflictError('user-has-access-keys', userId);
      if (countOf(this.#statements.countAttachmentsOfTarget.get({ target_kind: 'user', target_id: userId })) > 0) {
        throw new IdentityConflictError('user-has-policies', userId);
      }
      if (countOf(this.#statements.countGroupsOfUser.get(userId)) > 0) throw new IdentityConflictError('user-in-groups', userId);
      this.#statements.deleteUser.run(userId);
    });
  }

  createUserAccessKey(userId: string, record: AccessKeyRecord, maxPerUser: number): Promise<void> {
    return this.#write(() => {
      this.#requireUser(userId);
      if (countOf(this.#statements.countUserAccessKeys.get(userId)) >= maxPerUser)
        throw new IdentityConflictError('access-key-limit', userId);
      this.#statements.upsertAccessKey.run(accessKeyToRow(record));
      this.#statements.insertUserAccessKey.run({ access_key_id: record.accessKeyId, user_id: userId });
    });
  }

  listUserAccessKeys(userId: string): Promise<AccessKeyRecord[]> {
    return this.#transactions.read(() => this.#statements.selectUserAccessKeys.all(userId).map(rowToAccessKey));
  }

  setUserAccessKeyEnabled(userId: string, accessKeyId: string, enabled: boolean): Promise<void> {
    return this.#write(() => {
      const { changes } = this.#statements.setUserAccessKeyEnabled.run({
        enabled: enabled ? 1 : 0,
        access_key_id: accessKeyId,
        user_id: userId,
      });
      if (changes === 0) throw new IdentityConflictError('access-key-missing', accessKeyId);
    });
  }

  deleteUserAccessKey(userId: string, accessKeyId: string): Promise<void> {
    return this.#write(() => {
      const { changes } = this.#statements.deleteUserAccessKey.run({ access_key_id: accessKeyId, user_id: userId });
      if (changes === 0) throw new IdentityConflictError('access-key-missing', accessKeyId);
    });
  }

  createGroup(group: RamGroup): Promise<void> {
    return this.#write(() => {
      if (this.#statements.selectGroupByName.get(group.groupName)) throw new IdentityConflictError('group-exists', group.groupName);
      this.#statements.insertGroup.run(groupToRow(group));
    });
  }

  getGroup(groupName: string): Promise<RamGroup | undefined> {
    return this.#transactions.read(() => {
      const row = this.#statements.selectGroupByName.get(groupName);
      return row && rowToGroup(row);
    });
  }

  addUserToGroup(groupId: string, userId: string, joinDate: number): Promise<void> {
    return this.#write(() => {
      this.#requireUser(userId);
      this.#requireGroup(groupId);
      const members = this.#statements.selectMembershipsOfUser.all(userId);
      if (members.some((row) => row.group_id === groupId)) throw new IdentityConflictError('member-exists', userId);
      this.#statements.insertMember.run({ group_id: groupId, user_id: userId, join_date: joinDate });
    });
  }

  removeUserFromGroup(groupId: string, userId: string): Promise<void> {
    return this.#write(() => {
      const { changes } = this.#statements.deleteMember.run({ group_id: groupId, user_id: userId });
      if (changes === 0) throw new IdentityConflictError('member-missing', userId);
    });
  }

  listGroupsForUser(userId: string): Promise<GroupMembership[]> {
    return this.#transactions.read(() =>
      this.#statements.selectMembershipsOfUser.all(userId).map((row) => ({ group: rowToGroup(row), joinDate: row.join_date })),
    );
  }

  createPolicy(policy: CustomPolicy, firstVersion: PolicyVersion): Promise<void> {
    return this.#write(() => {
      if (this.#statements.selectPolicy.get(policy.policyName)) throw new IdentityConflictError('policy-exists', policy.policyName);
      this.#statements.insertPolicy.run({
        policy_name: policy.policyName,
        description: policy.description,
        default_version: 'v1',
        create_date: policy.createDate,
        update_date: policy.updateDate,
        last_version_number: 1,
      });
      this.#statements.insertPolicyVersion.run({
        policy_name: policy.policyName,
        version_number: 1,
        document: firstVersion.document,
        create_date: firstVersion.createDate,
      });
    });
  }

  getPolicy(policyName: string): Promise<CustomPolicy | undefined> {
    return this.#transactions.read(() => {
      const row = this.#statements.selectPolicy.get(policyName);
      return row && rowToPolicy(row);
    });
  }

  listPolicies(afterName: string | undefined, limit: number): Promise<CustomPolicy[]> {
    return this.#transactions.read(() => {
      requireValidLimit(limit);
      return this.#statements.selectPoliciesAfter.all({ after: afterName ?? '', limit }).map(rowToPolicy);
    });
  }

  listPolicyVersions(policyName: string): Promise<PolicyVersion[]> {
    return this.#transactions.read(() => this.#statements.selectPolicyVersions.all(policyName).map(rowToVersion));
  }

  addPolicyVersion(policyName: string, document: string, createDate: number, options: NewPolicyVersionOptions): Promise<PolicyVersion> {
    return this.#write(() => {
      const policy = this.#requirePolicy(policyName);
      const versions = this.#statements.selectPolicyVersions.all(policyName);
      if (versions.length >= options.maxVersions) {
        const oldest = versions.find((row) => `v${row.version_number}` !== policy.default_version);
        if (!options.deleteOldestWhenFull || !oldest) throw new IdentityConflictError('policy-version-limit', policyName);
        this.#statements.deletePolicyVersion.run({ policy_name: policyName, version_number: oldest.version_number });
      }
      const versionNumber = policy.last_version_number + 1;
      this.#statements.insertPolicyVersion.run({
        policy_name: policyName,
        version_number: versionNumber,
        document,
        create_date: createDate,
      });
      this.#statements.updatePolicyAfterNewVersion.run({
        policy_name: policyName,
        default_version: options.setAsDefault ? `v${versionNumber}` : policy.default_version,
        update_date: createDate,
        last_version_number: versionNumber,
      });
      return { versionId: `v${versionNumber}`, document, createDate };
    });
  }

  deletePolicyVersion(policyName: string, versionId: string): Promise<void> {
    return this.#write(() => {
      const policy = this.#requirePolicy(policyName);
      const versionNumber = versionNumberOf(versionId);
      const exists = this.#statements.selectPolicyVersions.all(policyName).some((row) => row.version_number === versionNumber);
      if (versionNumber === undefined || !exists) throw new IdentityConflictError('policy-version-missing', versionId);
      if (policy.default_version === versionId) throw new IdentityConflictError('policy-version-default', versionId);
      this.#statements.deletePolicyVersion.run({ policy_name: policyName, version_number: versionNumber });
    });
  }

  deletePolicy(policyName: string, cascade: boolean): Promise<void> {
    return this.#write(() => {
      this.#requirePolicy(policyName);
      const ref = policyParameters({ policyType: 'Custom', policyName });
      if (!cascade) {
        if (countOf(this.#statements.countAttachmentsOfPolicyByKind.get({ ...ref, target_kind: 'user' })) > 0) {
          throw new IdentityConflictError('policy-attached-to-user', policyName);
        }
        if (countOf(this.#statements.countAttachmentsOfPolicyByKind.get({ ...ref, target_kind: 'group' })) > 0) {
          throw new IdentityConflictError('policy-attached-to-group', policyName);
        }
        if (this.#statements.selectPolicyVersions.all(policyName).length > 1)
          throw new IdentityConflictError('policy-has-versions', policyName);
      }
      this.#statements.deleteAttachmentsOfPolicy.run(ref);
      this.#statements.deletePolicy.run(policyName);
    });
  }

  countAttachments(policy: PolicyRef): Promise<number> {
    return this.#transactions.read(() => countOf(this.#statements.countAttachmentsOfPolicy.get(policyParameters(policy))));
  }

  attachPolicy(target: AttachmentTarget, attachment: PolicyAttachment): Promise<void> {
    return this.#write(() => {
      if (target.kind === 'user') this.#requireUser(target.id);
      else this.#requireGroup(target.id);
      if (attachment.policyType === 'Custom') this.#requirePolicy(attachment.policyName);
      const existing = this.#statements.selectAttachmentsOf.all(targetParameters(target));
      if (existing.some((row) => row.policy_type === attachment.policyType && row.policy_name === attachment.policyName)) {
        throw new IdentityConflictError('attachment-exists', attachment.policyName);
      }
      this.#statements.insertAttachment.run({
        ...targetParameters(target),
        ...policyParameters(attachment),
        attach_date: attachment.attachDate,
      });
    });
  }

  detachPolicy(target: AttachmentTarget, policy: PolicyRef): Promise<void> {
    return this.#write(() => {
      const { changes } = this.#statements.deleteAttachment.run({ ...targetParameters(target), ...policyParameters(policy) });
      if (changes === 0) throw new IdentityConflictError('attachment-missing', policy.policyName);
    });
  }

  listAttachments(target: AttachmentTarget): Promise<PolicyAttachment[]> {
    return this.#transactions.read(() =>
      this.#statements.selectAttachmentsOf.all(targetParameters(target)).map((row) => ({
        policyType: policyTypeOf(row.policy_type),
        policyName: row.policy_name,
        attachDate: row.attach_date,
      })),
    );
  }

  policiesOfUser(userId: string): Promise<StoredUserPolicy[]> {
    return this.#transactions.read(() => {
      const seen = new Set<string>();
      const policies: StoredUserPolicy[] = [];
      for (const row of this.#statements.selectPoliciesOfUser.all({ user_id: userId })) {
        const key = `${row.policy_type}:${row.policy_name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const policyType = policyTypeOf(row.policy_type);
        const version = policyType === 'Custom' ? this.#statements.selectDefaultVersion.get(row.policy_name) : undefined;
        policies.push({ policyType, policyName: row.policy_name, ...(version ? { version: rowToVersion(version) } : {}) });
      }
      return policies;
    });
  }

  /** A write that bumps the revision in its own savepoint, after its work succeeded. */
  #write<T>(work: () => T): Promise<T> {
    return this.#transactions.write(() => {
      const result = work();
      this.#statements.bumpRevision.run();
      return result;
    });
  }

  #requireUser(userId: string): UserRow {
    const row = this.#statements.selectUserById.get(userId);
    if (!row) throw new IdentityConflictError('user-missing', userId);
    return row;
  }

  #requireGroup(groupId: string): GroupRow {
    const row = this.#statements.selectGroupById.get(groupId);
    if (!row) throw new IdentityConflictError('group-missing', groupId);
    return row;
  }

  #requirePolicy(policyName: string): PolicyRow {
    const row = this.#statements.selectPolicy.get(policyName);
    if (!row) throw new IdentityConflictError('policy-missing', policyName);
    return row;
  }
}
