import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { systemClock } from '../../src/domain/ports.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryKeyStore } from '../../src/keystore/memory-key-store.js';
import { SqliteKeyStore } from '../../src/keystore/sqlite/sqlite-key-store.js';
import type { Invalidation } from '../../src/operations/key-repository.js';
import { IdentityRepository } from '../../src/operations/ram/identity-repository.js';
import { RootKey } from '../../src/protection/root-key.js';

const ACCOUNT = '1234567890123456';
const DOCUMENT = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}';

function repositoryOver(store: MemoryKeyStore | SqliteKeyStore): IdentityRepository {
  return new IdentityRepository(store.identities, RootKey.fromSecret(SecretBytes.random(32)), systemClock, ACCOUNT);
}

describe('IdentityRepository', () => {
  it('sees a change another process made (written to the store behind its back) on the next call', async () => {
    const store = new MemoryKeyStore();
    const repository = repositoryOver(store);
    const elsewhere = repositoryOver(store);
    const user = await repository.createUser({ userName: 'app', displayName: 'app', email: '', mobilePhone: '', comments: '' });
    await repository.createPolicy('P', '', DOCUMENT);
    await repository.attachToUser('app', { policyType: 'Custom', policyName: 'P' });
    const arn = `acs:ram::${ACCOUNT}:user/app`;
    assert.equal((await repository.policiesOfUser(arn)).length, 1);
    // No announcement reaches `repository`: only the store's identity revision tells it.
    await store.identities.detachPolicy({ kind: 'user', id: user.userId }, { policyType: 'Custom', policyName: 'P' });
    assert.deepEqual(await repository.policiesOfUser(arn), []);
    await elsewhere.attachToUser('app', { policyType: 'System', policyName: 'AliyunKMSFullAccess' });
    assert.deepEqual(
      (await repository.policiesOfUser(arn)).map((p) => p.policyName),
      ['AliyunKMSFullAccess'],
    );
  });

  it('over SQLite, a write through another connection (another node, another worker) is in force on the next call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arca-identity-repository-'));
    const file = join(dir, 'arca.db');
    const first = SqliteKeyStore.open(file);
    const second = SqliteKeyStore.open(file);
    try {
      const here = repositoryOver(first);
      const there = repositoryOver(second);
      await here.createUser({ userName: 'app', displayName: 'app', email: '', mobilePhone: '', comments: '' });
      await here.createGroup('ops', '');
      await here.addUserToGroup('app', 'ops');
      await here.attachToGroup('ops', { policyType: 'System', policyName: 'AliyunKMSFullAccess' });
      const arn = `acs:ram::${ACCOUNT}:user/app`;
      assert.equal((await here.policiesOfUser(arn)).length, 1);
      await there.removeUserFromGroup('app', 'ops');
      assert.deepEqual(await here.policiesOfUser(arn), []);
    } finally {
      await first.close();
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('announces each write once it is stored, and nothing for a refused one', async () => {
    const repository = repositoryOver(new MemoryKeyStore());
    const heard: Invalidation[] = [];
    repository.onWrite((change) => heard.push(change));
    await repository.createUser({ userName: 'app', displayName: 'app', email: '', mobilePhone: '', comments: '' });
    assert.deepEqual(heard, [{ kind: 'identities' }]);
    await assert.rejects(repository.createUser({ userName: 'app', displayName: 'app', email: '', mobilePhone: '', comments: '' }));
    assert.equal(heard.length, 1);
    const { record } = await repository.createAccessKey('app');
    assert.deepEqual(heard.slice(1), [{ kind: 'accessKey', accessKeyId: record.accessKeyId }, { kind: 'identities' }]);
  });

  it('principals that are not RAM users of the account have no policies', async () => {
    const repository = repositoryOver(new MemoryKeyStore());
    assert.deepEqual(await repository.policiesOfUser('admin'), []);
    assert.deepEqual(await repository.policiesOfUser('acs:ram::999:user/app'), []);
    assert.deepEqual(await repository.policiesOfUser(`acs:ram::${ACCOUNT}:user/nobody`), []);
  });
});
