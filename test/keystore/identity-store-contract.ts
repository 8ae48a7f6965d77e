import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { CustomPolicy, PolicyVersion, RamGroup, RamUser } from '../../src/domain/identity.js';
import {
  IdentityConflictError,
  type AccessKeyStore,
  type HasIdentityStore,
  type IdentityConflictReason,
  type IdentityStore,
} from '../../src/domain/ports.js';
import { StorePreconditionError } from '../../src/keystore/store-support.js';
import { T0, makeAccessKey } from './fixtures.js';

export type IdentityContractStore = AccessKeyStore & HasIdentityStore;

export interface OpenedIdentityStore {
  store: IdentityContractStore;
  cleanup: () => Promise<void>;
  /** Another handle on the same data (another process, or this one after a restart); the test closes it. */
  openAgain: () => Promise<{ store: IdentityContractStore; close: () => Promise<void> }>;
}

let counter = 0;
const nextId = (): string => String(1_000_000_000_000_000 + counter++);

export function makeUser(userName: string, overrides: Partial<RamUser> = {}): RamUser {
  return {
    userId: nextId(),
    userName,
    displayName: userName,
    email: '',
    mobilePhone: '',
    comments: '',
    createDate: T0,
    updateDate: T0,
    ...overrides,
  };
}

export function makeGroup(groupName: string): RamGroup {
  return { groupId: nextId(), groupName, comments: '', createDate: T0, updateDate: T0 };
}

const DOCUMENT = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}';

export function makePolicy(policyName: string): { policy: CustomPolicy; version: PolicyVersion } {
  return {
    policy: { policyName, description: '', defaultVersion: 'v1', createDate: T0, updateDate: T0 },
    version: { versionId: 'v1', document: DOCUMENT, createDate: T0 },
  };
}

async function assertConflict(promise: Promise<unknown>, reason: IdentityConflictReason): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof IdentityConflictError, `expected IdentityConflictError, got ${String(error)}`);
    assert.equal(error.reason, reason);
    return true;
  });
}

const OPTIONS = { setAsDefault: false, maxVersions: 5, deleteOldestWhenFull: false };

/** The behaviour every IdentityStore adapter must show; each test gets a fresh, empty store. */
export function describeIdentityStoreContract(name: string, open: () => Promise<OpenedIdentityStore>): void {
  void describe(`${name} (IdentityStore contract)`, () => {
    let store: IdentityContractStore;
    let identities: IdentityStore;
    let cleanup: (() => Promise<void>) | undefined;
    let openAgain: OpenedIdentityStore['openAgain'];

    beforeEach(async () => {
      ({ store, cleanup, openAgain } = await open());
      identities = store.identities;
    });

    afterEach(async () => {
      await cleanup?.();
      cleanup = undefined;
    });

    async function createdUser(userName: string): Promise<RamUser> {
      const user = makeUser(userName);
      await identities.createUser(user);
      return user;
    }

    void describe('users', () => {
      void it('createUser then getUser returns every field; an unknown name is undefined', async () => {
        const user = makeUser('alice', { displayName: 'Alice', email: 'a@example.com', mobilePhone: '86-1', comments: 'c' });
        await identities.createUser(user);
        assert.deepEqual(await identities.getUser('alice'), user);
        assert.equal(await identities.getUser('Alice'), undefined, 'names are case-sensitive');
      });

      void it('refuses a second user of the same name with user-exists', async () => {
        await createdUser('alice');
        await assertConflict(identities.createUser(makeUser('alice')), 'user-exists');
      });

      void it('updateUser renames, frees the old name, and gives the user’s access keys the new principal', async () => {
        const user = await createdUser('alice');
        const key = makeAccessKey({ principal: 'acs:ram::1:user/alice' });
        await identities.createUserAccessKey(user.userId, key, 2);
        await identities.updateUser({ ...user, userName: 'bob', updateDate: T0 + 1 }, 'acs:ram::1:user/bob');
        assert.equal(await identities.getUser('alice'), undefined);
        assert.equal((await identities.getUser('bob'))?.userId, user.userId);
        assert.equal((await store.getAccessKey(key.accessKeyId))?.principal, 'acs:ram::1:user/bob');
        await createdUser('alice');
      });

      void it('updateUser refuses a name another user holds, and an unknown user', async () => {
        const alice = await createdUser('alice');
        await createdUser('bob');
        await assertConflict(identities.updateUser({ ...alice, userName: 'bob' }, 'p'), 'user-exists');
        await assertConflict(identities.updateUser(makeUser('carol'), 'p'), 'user-missing');
        assert.equal((await identities.getUser('alice'))?.userId, alice.userId);
      });

      void it('listUsers pages by name after a marker', async () => {
        for (const name of ['carol', 'alice', 'bob']) await createdUser(name);
        const names = (users: readonly RamUser[]) => users.map((user) => user.userName);
        assert.deepEqual(names(await identities.listUsers(undefined, 2)), ['alice', 'bob']);
        assert.deepEqual(names(await identities.listUsers('bob', 2)), ['carol']);
        await assert.rejects(() => identities.listUsers(undefined, 0), StorePreconditionError);
      });

      void it('deleteUser refuses while the user has access keys, policies or groups, in that order', async () => {
        const user = await createdUser('alice');
        const group = makeGroup('ops');
        await identities.createGroup(group);
        await identities.addUserToGroup(group.groupId, user.userId, T0);
        await identities.attachPolicy(
          { kind: 'user', id: user.userId },
          { policyType: 'System', policyName: 'AliyunKMSFullAccess', attachDate: T0 },
        );
        const key = makeAccessKey();
        await identities.createUserAccessKey(user.userId, key, 2);

        await assertConflict(identities.deleteUser(user.userId), 'user-has-access-keys');
        await identities.deleteUserAccessKey(user.userId, key.accessKeyId);
        await assertConflict(identities.deleteUser(user.userId), 'user-has-policies');
        await identities.detachPolicy({ kind: 'user', id: user.userId }, { policyType: 'System', policyName: 'AliyunKMSFullAccess' });
        await assertConflict(identities.deleteUser(user.userId), 'user-in-groups');
        await identities.removeUserFromGroup(group.groupId, user.userId);
        await identities.deleteUser(user.userId);
        assert.equal(await identities.getUser('alice'), undefined);
        await assertConflict(identities.deleteUser(user.userId), 'user-missing');
      });
    });

    void describe('access keys', () => {
      void it('a user’s access key is an ordinary record the per-request read finds', async () => {
        const user = await createdUser('alice');
        const key = makeAccessKey({ principal: 'acs:ram::1:user/alice' });
        await identities.createUserAccessKey(user.userId, key, 2);
        assert.deepEqual(await store.getAccessKey(key.accessKeyId), key);
        assert.deepEqual(await identities.listUserAccessKeys(user.userId), [key]);
      });

      void it('refuses a key beyond the limit with access-key-limit, and a key for an unknown user', async () => {
        const user = await createdUser('alice');
        await identities.createUserAccessKey(user.userId, makeAccessKey({ creationDate: T0 }), 2);
        await identities.createUserAccessKey(user.userId, makeAccessKey({ creationDate: T0 + 1 }), 2);
        const third = makeAccessKey();
        await assertConflict(identities.createUserAccessKey(user.userId, third, 2), 'access-key-limit');
        assert.equal(await store.getAccessKey(third.accessKeyId), undefined, 'nothing stored');
        await assertConflict(identities.createUserAccessKey('0000000000000000', makeAccessKey(), 2), 'user-missing');
      });

      void it('setUserAccessKeyEnabled and deleteUserAccessKey act on the record itself, and only on the owner’s keys', async () => {
        const alice = await createdUser('alice');
        const bob = await createdUser('bob');
        const key = makeAccessKey();
        await identities.createUserAccessKey(alice.userId, key, 2);
        await assertConflict(identities.setUserAccessKeyEnabled(bob.userId, key.accessKeyId, false), 'access-key-missing');
        await assertConflict(identities.deleteUserAccessKey(bob.userId, key.accessKeyId), 'access-key-missing');
        await identities.setUserAccessKeyEnabled(alice.userId, key.accessKeyId, false);
        assert.equal((await store.getAccessKey(key.accessKeyId))?.enabled, false);
        await identities.deleteUserAccessKey(alice.userId, key.accessKeyId);
        assert.equal(await store.getAccessKey(key.accessKeyId), undefined);
        assert.deepEqual(await identities.listUserAccessKeys(alice.userId), []);
      });

      void it('the administrator’s keys are no user’s', async () => {
        const admin = makeAccessKey({ principal: 'admin' });
        await store.putAccessKey(admin);
        const user = await createdUser('alice');
        await assertConflict(identities.deleteUserAccessKey(user.userId, admin.accessKeyId), 'access-key-missing');
        assert.ok(await store.getAccessKey(admin.accessKeyId));
      });
    });

    void describe('groups', () => {
      void it('createGroup, getGroup, group-exists', async () => {
        const group = makeGroup('ops');
        await identities.createGroup(group);
        assert.deepEqual(await identities.getGroup('ops'), group);
        await assertConflict(identities.createGroup(makeGroup('ops')), 'group-exists');
      });

      void it('memberships: add, list with join dates, member-exists, remove, member-missing', async () => {
        const user = await createdUser('alice');
        const ops = makeGroup('ops');
        const dev = makeGroup('dev');
        await identities.createGroup(ops);
        await identities.createGroup(dev);
        await identities.addUserToGroup(ops.groupId, user.userId, T0 + 2);
        await identities.addUserToGroup(dev.groupId, user.userId, T0 + 1);
        await assertConflict(identities.addUserToGroup(ops.groupId, user.userId, T0), 'member-exists');
        await assertConflict(identities.addUserToGroup('9', user.userId, T0), 'group-missing');
        await assertConflict(identities.addUserToGroup(ops.groupId, '9', T0), 'user-missing');
        assert.deepEqual(await identities.listGroupsForUser(user.userId), [
          { group: dev, joinDate: T0 + 1 },
          { group: ops, joinDate: T0 + 2 },
        ]);
        await identities.removeUserFromGroup(ops.groupId, user.userId);
        await assertConflict(identities.removeUserFromGroup(ops.groupId, user.userId), 'member-missing');
        assert.deepEqual(await identities.listGroupsForUser(user.userId), [{ group: dev, joinDate: T0 + 1 }]);
      });
    });

    void describe('policies', () => {
      void it('createPolicy stores v1 as the default; policy-exists', async () => {
        const { policy, version } = makePolicy('KeyUser');
        await identities.createPolicy(policy, version);
        assert.deepEqual(await identities.getPolicy('KeyUser'), policy);
        assert.deepEqual(await identities.listPolicyVersions('KeyUser'), [version]);
        await assertConflict(identities.createPolicy(policy, version), 'policy-exists');
      });

      void it('addPolicyVersion numbers past the highest ever used, sets the default on request, and stops at the limit', async () => {
        const { policy, version } = makePolicy('KeyUser');
        await identities.createPolicy(policy, version);
        assert.equal((await identities.addPolicyVersion('KeyUser', '{"v":2}', T0 + 1, OPTIONS)).versionId, 'v2');
        await identities.deletePolicyVersion('KeyUser', 'v2');
        const third = await identities.addPolicyVersion('KeyUser', '{"v":3}', T0 + 2, { ...OPTIONS, setAsDefault: true });
        assert.deepEqual(third, { versionId: 'v3', document: '{"v":3}', createDate: T0 + 2 });
        assert.equal((await identities.getPolicy('KeyUser'))?.defaultVersion, 'v3');
        assert.equal((await identities.getPolicy('KeyUser'))?.updateDate, T0 + 2);
        await identities.addPolicyVersion('KeyUser', '{"v":4}', T0 + 3, { ...OPTIONS, maxVersions: 3 });
        await assertConflict(
          identities.addPolicyVersion('KeyUser', '{"v":5}', T0 + 4, { ...OPTIONS, maxVersions: 3 }),
          'policy-version-limit',
        );
        assert.deepEqual(
          (await identities.listPolicyVersions('KeyUser')).map((v) => v.versionId),
          ['v1', 'v3', 'v4'],
        );
        await assertConflict(identities.addPolicyVersion('Nothing', '{}', T0, OPTIONS), 'policy-missing');
      });

      void it('addPolicyVersion with deleteOldestWhenFull deletes the oldest version that is not the default', async () => {
        const { policy, version } = makePolicy('KeyUser');
        await identities.createPolicy(policy, version);
        await identities.addPolicyVersion('KeyUser', '{"v":2}', T0 + 1, OPTIONS);
        await identities.addPolicyVersion('KeyUser', '{"v":3}', T0 + 2, { ...OPTIONS, maxVersions: 2, deleteOldestWhenFull: true });
        assert.deepEqual(
          (await identities.listPolicyVersions('KeyUser')).map((v) => v.versionId),
          ['v1', 'v3'],
        );
      });

      void it('deletePolicyVersion refuses the default and unknown versions', async () => {
        const { policy, version } = makePolicy('KeyUser');
        await identities.createPolicy(policy, version);
        await assertConflict(identities.deletePolicyVersion('KeyUser', 'v1'), 'policy-version-default');
        await assertConflict(identities.deletePolicyVersion('KeyUser', 'v9'), 'policy-version-missing');
        await assertConflict(identities.deletePolicyVersion('KeyUser', 'x'), 'policy-version-missing');
        await assertConflict(identities.deletePolicyVersion('Nothing', 'v1'), 'policy-missing');
      });

      void it('deletePolicy refuses while attached or with other versions; cascade detaches and deletes them', async () => {
        const user = await createdUser('alice');
        const group = makeGroup('ops');
        await identities.createGroup(group);
        const { policy, version } = makePolicy('KeyUser');
        await identities.createPolicy(policy, version);
        const ref = { policyType: 'Custom', policyName: 'KeyUser' } as const;
        await identities.attachPolicy({ kind: 'user', id: user.userId }, { ...ref, attachDate: T0 });
        await identities.attachPolicy({ kind: 'group', id: group.groupId }, { ...ref, attachDate: T0 });
        assert.equal(await identities.countAttachments(ref), 2);
        await assertConflict(identities.deletePolicy('KeyUser', false), 'policy-attached-to-user');
        await identities.detachPolicy({ kind: 'user', id: user.userId }, ref);
        await assertConflict(identities.deletePolicy('KeyUser', false), 'policy-attached-to-group');
        await identities.detachPolicy({ kind: 'group', id: group.groupId }, ref);
        await identities.addPolicyVersion('KeyUser', '{}', T0, OPTIONS);
        await assertConflict(identities.deletePolicy('KeyUser', false), 'policy-has-versions');
        await identities.attachPolicy({ kind: 'user', id: user.userId }, { ...ref, attachDate: T0 });
        await identities.deletePolicy('KeyUser', true);
        assert.equal(await identities.getPolicy('KeyUser'), undefined);
        assert.deepEqual(await identities.listPolicyVersions('KeyUser'), []);
        assert.deepEqual(await identities.listAttachments({ kind: 'user', id: user.userId }), []);
        await assertConflict(identities.deletePolicy('KeyUser', false), 'policy-missing');
      });

      void it('listPolicies pages by name after a marker', async () => {
        for (const name of ['B', 'A', 'C']) {
          const { policy, version } = makePolicy(name);
          await identities.createPolicy(policy, version);
        }
        assert.deepEqual(
          (await identities.listPolicies('A', 5)).map((p) => p.policyName),
          ['B', 'C'],
        );
      });
    });

    void describe('attachments', () => {
      void it('attach refuses unknown targets, unknown custom policies and duplicates; detach refuses what is not attached', async () => {
        const user = await createdUser('alice');
        const target = { kind: 'user', id: user.userId } as const;
        await assertConflict(
          identities.attachPolicy({ kind: 'user', id: '7' }, { policyType: 'System', policyName: 'X', attachDate: T0 }),
          'user-missing',
        );
        await assertConflict(
          identities.attachPolicy({ kind: 'group', id: '7' }, { policyType: 'System', policyName: 'X', attachDate: T0 }),
          'group-missing',
        );
        await assertConflict(
          identities.attachPolicy(target, { policyType: 'Custom', policyName: 'Nothing', attachDate: T0 }),
          'policy-missing',
        );
        await identities.attachPolicy(target, { policyType: 'System', policyName: 'AliyunKMSFullAccess', attachDate: T0 });
        await assertConflict(
          identities.attachPolicy(target, { policyType: 'System', policyName: 'AliyunKMSFullAccess', attachDate: T0 + 1 }),
          'attachment-exists',
        );
        assert.deepEqual(await identities.listAttachments(target), [
          { policyType: 'System', policyName: 'AliyunKMSFullAccess', attachDate: T0 },
        ]);
        await assertConflict(
          identities.detachPolicy(target, { policyType: 'Custom', policyName: 'AliyunKMSFullAccess' }),
          'attachment-missing',
        );
      });

      void it('policiesOfUser: the user’s own, then its groups’, each once, custom ones with the default version', async () => {
        const user = await createdUser('alice');
        const other = await createdUser('bob');
        const group = makeGroup('ops');
        await identities.createGroup(group);
        await identities.addUserToGroup(group.groupId, user.userId, T0);
        const { policy, version } = makePolicy('KeyUser');
        await identities.createPolicy(policy, version);
        const second = await identities.addPolicyVersion('KeyUser', '{"second":true}', T0 + 1, { ...OPTIONS, setAsDefault: true });
        const own = { kind: 'user', id: user.userId } as const;
        const ofGroup = { kind: 'group', id: group.groupId } as const;
        await identities.attachPolicy(own, { policyType: 'Custom', policyName: 'KeyUser', attachDate: T0 });
        await identities.attachPolicy(ofGroup, { policyType: 'Custom', policyName: 'KeyUser', attachDate: T0 });
        await identities.attachPolicy(ofGroup, { policyType: 'System', policyName: 'AliyunKMSReadOnlyAccess', attachDate: T0 });
        await identities.attachPolicy(
          { kind: 'user', id: other.userId },
          { policyType: 'System', policyName: 'AliyunKMSFullAccess', attachDate: T0 },
        );

        assert.deepEqual(await identities.policiesOfUser(user.userId), [
          { policyType: 'Custom', policyName: 'KeyUser', version: second },
          { policyType: 'System', policyName: 'AliyunKMSReadOnlyAccess' },
        ]);
        await identities.removeUserFromGroup(group.groupId, user.userId);
        assert.deepEqual(await identities.policiesOfUser(user.userId), [{ policyType: 'Custom', policyName: 'KeyUser', version: second }]);
        await identities.detachPolicy(own, { policyType: 'Custom', policyName: 'KeyUser' });
        assert.deepEqual(await identities.policiesOfUser(user.userId), []);
      });
    });

    void describe('revision', () => {
      void it('moves on with every successful write and stays with a refused one', async () => {
        const start = await identities.revision();
        const user = await createdUser('alice');
        const afterCreate = await identities.revision();
        assert.ok(afterCreate > start);
        await assertConflict(identities.createUser(makeUser('alice')), 'user-exists');
        assert.equal(await identities.revision(), afterCreate);
        await identities.updateUser({ ...user, comments: 'x' }, 'p');
        assert.ok((await identities.revision()) > afterCreate);
      });
    });

    void it('what is written is durable: another handle reads it', async () => {
      const user = await createdUser('alice');
      const key = makeAccessKey();
      await identities.createUserAccessKey(user.userId, key, 2);
      const revision = await identities.revision();
      const other = await openAgain();
      try {
        assert.deepEqual(await other.store.identities.getUser('alice'), user);
        assert.deepEqual(await other.store.identities.listUserAccessKeys(user.userId), [key]);
        assert.equal(await other.store.identities.revision(), revision);
      } finally {
        await other.close();
      }
    });
  });
}
