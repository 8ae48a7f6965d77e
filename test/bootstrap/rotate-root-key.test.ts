// The root key rotation's guarantees on a real SQLite data directory (ADR 34): interrupted after
// some values, the data opens under the pair and a second run finishes the rest; digests (the
// bring-your-own-key commitments) are the same before, during and after the rotation.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { rotateRootKey } from '../../src/bootstrap/rotate-root-key.js';
import { assertRootKeyMatches, rootKeySecrets } from '../../src/bootstrap/root-key-source.js';
import { openStore } from '../../src/bootstrap/store-factory.js';
import { DigestPurpose, SealPurpose } from '../../src/domain/seal-purposes.js';
import { resealSqliteDatabase } from '../../src/keystore/sqlite/sqlite-reseal.js';
import { RootKey } from '../../src/protection/root-key.js';
import { RootKeyPair } from '../../src/protection/root-key-pair.js';
import { callOk } from '../support/acs3-signer.js';
import { TEST_CREDENTIALS, testEnvironment } from '../support/environment.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { databasePathIn } from '../../src/bootstrap/data-directory.js';

const oldText = randomBytes(32).toString('base64');
const newText = randomBytes(32).toString('base64');
const pair = (): RootKeyPair => new RootKeyPair(RootKey.fromBase64(newText, 'new'), RootKey.fromBase64(oldText, 'old'));
const PURPOSES = {
  keyMaterial: SealPurpose.KeyMaterial,
  accessKeySecret: SealPurpose.AccessKeySecret,
  metadata: [{ name: 'root-key-check', purpose: SealPurpose.RootKeyCheck }],
};

describe('rotateRootKey on a real data directory', () => {
  let server: TestServer;
  const digestInput = Buffer.from('material commitment input');
  let digestBefore: Buffer;

  before(async () => {
    server = await startTestServer({ environment: testEnvironment({ ARCA_ROOT_KEY: oldText }) });
    for (let index = 0; index < 5; index += 1) await callOk(server, TEST_CREDENTIALS, 'CreateKey', {});
    await server.server.close();
    digestBefore = await RootKey.fromBase64(oldText, 'old').digest(digestInput, DigestPurpose.MaterialCommitment, 'key-1');
  });

  after(async () => {
    await server.close();
  });

  it('is refused until a server has started with both keys', async () => {
    await assert.rejects(rotateRootKey(server.dataDir, pair()), /no server has started with this new root key beside the previous one/);
  });

  it('an interrupted run leaves values under both keys, all of which the pair opens; a second run finishes', async () => {
    let done = 0;
    const interrupted = resealSqliteDatabase(databasePathIn(server.dataDir), PURPOSES, async ({ sealed, purpose, binding }) => {
      if (done === 3) throw new Error('power cut');
      done += 1;
      const keys = pair();
      return keys.current.seal(await keys.previous.open(sealed, purpose, binding), purpose, binding);
    });
    await assert.rejects(interrupted, /power cut/);

    const store = await openStore({ kind: 'sqlite' }, server.dataDir);
    try {
      await assertRootKeyMatches(store, pair());
      const secrets = await rootKeySecrets(pair(), store);
      assert.deepEqual(await secrets.digest(digestInput, DigestPurpose.MaterialCommitment, 'key-1'), digestBefore);
    } finally {
      await store.close();
    }

    const finished = await rotateRootKey(server.dataDir, pair());
    // 5 key versions, 1 access key, the root-key check: 3 were done before the interruption.
    assert.deepEqual({ resealed: finished.resealed, changedMeanwhile: finished.changedMeanwhile }, { resealed: 4, changedMeanwhile: 0 });
    assert.ok(finished.alreadyCurrent >= 3);
  });

  it('after the rotation the new key alone opens the data, with the same digests; the old key alone is refused', async () => {
    const store = await openStore({ kind: 'sqlite' }, server.dataDir);
    try {
      const current = RootKey.fromBase64(newText, 'new');
      await assertRootKeyMatches(store, current);
      const secrets = await rootKeySecrets(current, store);
      assert.deepEqual(await secrets.digest(digestInput, DigestPurpose.MaterialCommitment, 'key-1'), digestBefore);
      await assert.rejects(assertRootKeyMatches(store, RootKey.fromBase64(oldText, 'old')), /does not match this data directory/);
    } finally {
      await store.close();
    }
  });

  it('a server on the rotated directory with the new key serves the keys made before', async () => {
    const restarted = await startTestServer({ dataDir: server.dataDir, environment: testEnvironment({ ARCA_ROOT_KEY: newText }) });
    try {
      const { Keys } = await callOk(restarted, TEST_CREDENTIALS, 'ListKeys', { PageSize: '100' });
      const keyId = Keys.Key[0].KeyId as string;
      const { CiphertextBlob } = await callOk(restarted, TEST_CREDENTIALS, 'Encrypt', { KeyId: keyId, Plaintext: 'aGVsbG8=' });
      assert.equal((await callOk(restarted, TEST_CREDENTIALS, 'Decrypt', { CiphertextBlob })).Plaintext, 'aGVsbG8=');
    } finally {
      await restarted.server.close();
    }
  });
});
