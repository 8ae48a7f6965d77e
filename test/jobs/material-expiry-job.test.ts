// Imported material, its deletion and its expiry at the operations level: the real operations,
// through the runner, over a memory store (and SQLite for the job), a clock the test moves, and the
// KeyRepository's cache set up directly.
import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { keyIdReference } from '../../src/domain/key-reference.js';
import { Origin } from '../../src/domain/key-spec.js';
import { KeyState } from '../../src/domain/key-state.js';
import { MaterialExpiryJob } from '../../src/jobs/material-expiry-job.js';
import { SqliteKeyStore } from '../../src/keystore/sqlite/sqlite-key-store.js';
import { cancelKeyDeletion } from '../../src/operations/cancel-key-deletion.js';
import { createKey } from '../../src/operations/create-key.js';
import { deleteKeyMaterial } from '../../src/operations/delete-key-material.js';
import { getParametersForImport } from '../../src/operations/get-parameters-for-import.js';
import { importKeyMaterial } from '../../src/operations/import-key-material.js';
import { destroyImportedMaterial } from '../../src/operations/key-material.js';
import { scheduleKeyDeletion } from '../../src/operations/schedule-key-deletion.js';
import { assertKmsError, decryptWith, encryptWith, harness, SECOND, type Harness } from './support.js';

async function externalKey(h: Harness): Promise<string> {
  return (await h.run(createKey, { origin: Origin.External })).keyId;
}

async function importInto(h: Harness, keyId: string, material: Buffer, keyMaterialExpireUnix = 0): Promise<void> {
  const key = keyIdReference(keyId);
  const params = await h.run(getParametersForImport, { key, wrappingKeySpec: 'RSA_2048', wrappingAlgorithm: 'RSAES_OAEP_SHA_256' });
  const publicKey = createPublicKey({ key: params.publicKeySpki, format: 'der', type: 'spki' });
  const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
  await h.run(importKeyMaterial, { key, importToken: params.importToken, encryptedKeyMaterial: wrapped, keyMaterialExpireUnix });
}

/**
 * Makes this process's KeyRepository believe the key is Enabled again, as a record read a moment
 * before the material went (by a read racing the write) would: the record cache is filled from a
 * store read that answers with the key as it was, Enabled. Only the opened versions could then
 * still encrypt, and they must be gone.
 */
async function staleEnabledRecord(h: Harness, keyId: string): Promise<void> {
  const key = await h.store.getKey(keyId);
  assert.ok(key);
  const store = h.store;
  const getKey = store.getKey.bind(store);
  store.getKey = (id) => (id === keyId ? Promise.resolve({ ...key, keyState: KeyState.Enabled }) : getKey(id));
  try {
    h.keys.invalidate({ kind: 'key', keyId });
    assert.equal((await h.keys.findKey(keyId))?.keyState, KeyState.Enabled, 'the repository holds the stale record');
  } finally {
    store.getKey = getKey;
  }
  assert.equal((await h.store.getKey(keyId))?.keyState, key.keyState, 'the store itself is unchanged');
}

describe('deleted or expired imported material cannot be used from memory', () => {
  it('after DeleteKeyMaterial neither Encrypt nor Decrypt works from the KeyRepository cache, even under a stale Enabled record', async () => {
    const h = harness();
    const keyId = await externalKey(h);
    const material = randomBytes(32);
    await importInto(h, keyId, material);
    const blob = await encryptWith(h, keyId, 'cached');
    assert.equal(await decryptWith(h, blob), 'cached', 'the version is open in the cache now');

    await h.run(deleteKeyMaterial, { key: keyIdReference(keyId) });
    assert.equal((await h.store.getKey(keyId))?.keyState, KeyState.PendingImport);
    const version = await h.store.getKeyVersion((await h.store.getKey(keyId))!.primaryKeyVersionId);
    assert.equal(version?.material, null, 'the sealed material left the store');
    assert.ok(version?.materialCommitment, 'the commitment stays');

    await assertKmsError(encryptWith(h, keyId, 'x'), 'KeyPendingImport');
    await assertKmsError(decryptWith(h, blob), 'KeyPendingImport');
    await staleEnabledRecord(h, keyId);
    await assertKmsError(encryptWith(h, keyId, 'x'), 'KeyPendingImport');
    await assertKmsError(decryptWith(h, blob), 'KeyPendingImport');

    await importInto(h, keyId, material);
    assert.equal(await decryptWith(h, blob), 'cached');
  });

  it('the expiry job destroys material when it falls due, not before, drops it from memory, and the same material brings it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arca-expiry-'));
    const store = SqliteKeyStore.open(join(dir, 'arca.db'));
    try {
      const h = harness({ store });
      const job = new MaterialExpiryJob(h.keys, h.runner);
      const keyId = await externalKey(h);
      const material = randomBytes(32);
      const expireUnix = Math.floor(h.clock.now() / 1000) + 60;
      await importInto(h, keyId, material, expireUnix);
      const blob = await encryptWith(h, keyId, 'until expiry');

      h.clock.advance(59 * SECOND);
      assert.deepEqual((await job.run(h.clock.now())).done, []);
      assert.equal(await decryptWith(h, blob), 'until expiry');

      h.clock.advance(1 * SECOND);
      const report = await job.run(h.clock.now());
      assert.deepEqual(report, { done: [keyId], skipped: [], failures: [] });
      const key = await h.store.getKey(keyId);
      assert.equal(key?.keyState, KeyState.PendingImport);
      assert.equal(key?.materialExpireTime, null);
      assert.equal((await h.store.getKeyVersion(key.primaryKeyVersionId))?.material, null);
      assert.deepEqual((await job.run(h.clock.now())).done, [], 'once');

      await staleEnabledRecord(h, keyId);
      await assertKmsError(decryptWith(h, blob), 'KeyPendingImport');
      await importInto(h, keyId, material);
      assert.equal(await decryptWith(h, blob), 'until expiry');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a key pending deletion keeps its state and DeleteDate when its material expires; cancelling then gives PendingImport', async () => {
    const h = harness();
    const job = new MaterialExpiryJob(h.keys, h.runner);
    const keyId = await externalKey(h);
    await importInto(h, keyId, randomBytes(32), Math.floor(h.clock.now() / 1000) + 10);
    await h.run(scheduleKeyDeletion, { key: keyIdReference(keyId), pendingWindowInDays: 7 });
    const pending = await h.store.getKey(keyId);
    h.clock.advance(10 * SECOND);
    assert.deepEqual((await job.run(h.clock.now())).done, [keyId]);
    const after = await h.store.getKey(keyId);
    assert.equal(after?.keyState, KeyState.PendingDeletion);
    assert.equal(after?.deleteDate, pending?.deleteDate);
    await h.run(cancelKeyDeletion, { key: keyIdReference(keyId) });
    assert.equal((await h.store.getKey(keyId))?.keyState, KeyState.PendingImport);
  });

  it('a re-import that lands first wins: the destruction, conditioned on the revision the job listed, stores nothing', async () => {
    const h = harness();
    const keyId = await externalKey(h);
    const material = randomBytes(32);
    await importInto(h, keyId, material, Math.floor(h.clock.now() / 1000) + 10);
    h.clock.advance(10 * SECOND);
    const [listed] = await h.store.listKeysDueForMaterialExpiry(h.clock.now(), 10);
    assert.equal(listed?.keyId, keyId);
    // A re-import with no expiry lands between the job's list and its write.
    await importInto(h, keyId, material, 0);
    assert.equal(await destroyImportedMaterial(h.keys, listed), undefined, 'skipped');
    const key = await h.store.getKey(keyId);
    assert.equal(key?.keyState, KeyState.Enabled);
    assert.ok((await h.store.getKeyVersion(key.primaryKeyVersionId))?.material, 'the material is still there');
    assert.deepEqual((await new MaterialExpiryJob(h.keys, h.runner).run(h.clock.now())).done, [], 'and nothing is due any more');
  });
});
