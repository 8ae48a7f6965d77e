import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyIdReference } from '../../src/domain/key-reference.js';
import { KeyState } from '../../src/domain/key-state.js';
import { DeletionJob } from '../../src/jobs/deletion-job.js';
import { cancelKeyDeletion } from '../../src/operations/cancel-key-deletion.js';
import { createAlias } from '../../src/operations/create-alias.js';
import { createKeyVersion } from '../../src/operations/create-key-version.js';
import { scheduleKeyDeletion } from '../../src/operations/schedule-key-deletion.js';
import { DAY, assertKmsError, createPlainKey, decryptWith, encryptWith, harness, versionCount, type Harness } from './support.js';

const FIRST_PAGE = { pageNumber: 1, pageSize: 100 };

/** A key with two versions, an alias and a blob, scheduled for deletion in `days` days. */
async function keyPendingDeletion(h: Harness, days = 7) {
  const key = await createPlainKey(h);
  const firstVersionId = key.primaryKeyVersionId;
  const { keyVersionId: secondVersionId } = await h.run(createKeyVersion, { key: keyIdReference(key.keyId) });
  const aliasName = `alias/doomed-${key.keyId.slice(0, 8)}`;
  await h.run(createAlias, { aliasName, key: keyIdReference(key.keyId) });
  const blob = await encryptWith(h, key.keyId, 'to be shredded');
  await h.run(scheduleKeyDeletion, { key: keyIdReference(key.keyId), pendingWindowInDays: days });
  return { keyId: key.keyId, versionIds: [firstVersionId, secondVersionId], aliasName, blob };
}

void describe('DeletionJob', () => {
  void it('destroys a key only once its pending window has ended', async () => {
    const h = harness();
    const job = new DeletionJob(h.keys, h.runner);
    const doomed = await keyPendingDeletion(h, 7);
    h.clock.advance(7 * DAY - 1);
    assert.deepEqual(await job.run(h.clock.now()), { done: [], skipped: [], failures: [] });
    assert.equal((await h.store.getKey(doomed.keyId))?.keyState, KeyState.PendingDeletion);

    h.clock.advance(1);
    assert.deepEqual(await job.run(h.clock.now()), { done: [doomed.keyId], skipped: [], failures: [] });
    assert.equal(await h.store.getKey(doomed.keyId), undefined);
    assert.deepEqual(await job.run(h.clock.now()), { done: [], skipped: [], failures: [] });
  });

  void it('takes its versions (their material) and aliases with it; its blobs answer Forbidden.KeyNotFound', async () => {
    const h = harness();
    const job = new DeletionJob(h.keys, h.runner);
    const doomed = await keyPendingDeletion(h);
    const survivor = await createPlainKey(h);
    await h.run(createAlias, { aliasName: 'alias/survivor', key: keyIdReference(survivor.keyId) });
    const survivorBlob = await encryptWith(h, survivor.keyId, 'still here');
    h.clock.advance(8 * DAY);

    await job.run(h.clock.now());

    for (const versionId of doomed.versionIds) assert.equal(await h.store.getKeyVersion(versionId), undefined);
    assert.equal(await versionCount(h.store, doomed.keyId), 0);
    assert.equal(await h.store.getAlias(doomed.aliasName), undefined);
    assert.deepEqual((await h.store.listAliases(FIRST_PAGE, doomed.keyId)).items, []);
    await assertKmsError(decryptWith(h, doomed.blob), 'KeyNotFound');
    await assertKmsError(h.keys.resolve(keyIdReference(doomed.keyId)), 'KeyNotFound');
    // Nothing else went with it.
    assert.equal(await decryptWith(h, survivorBlob), 'still here');
    assert.equal((await h.keys.resolve({ kind: 'alias', aliasName: 'alias/survivor' })).keyId, survivor.keyId);
  });

  void it('forgets the key in this process at once, even while its versions were open in the cache', async () => {
    const h = harness();
    const job = new DeletionJob(h.keys, h.runner);
    const doomed = await keyPendingDeletion(h);
    h.clock.advance(7 * DAY);
    // Fill the caches (record, opened version) at the very instant of the deletion.
    await assertKmsError(decryptWith(h, doomed.blob), 'KeyPendingDeletion');
    await job.run(h.clock.now());
    await assertKmsError(decryptWith(h, doomed.blob), 'KeyNotFound');
  });

  void it('does not destroy a key whose deletion was cancelled', async () => {
    const h = harness();
    const job = new DeletionJob(h.keys, h.runner);
    const spared = await keyPendingDeletion(h, 7);
    h.clock.advance(3 * DAY);
    await h.run(cancelKeyDeletion, { key: keyIdReference(spared.keyId) });
    h.clock.advance(30 * DAY);
    assert.deepEqual(await job.run(h.clock.now()), { done: [], skipped: [], failures: [] });
    assert.equal((await h.store.getKey(spared.keyId))?.keyState, KeyState.Enabled);
    assert.equal(await versionCount(h.store, spared.keyId), 2);
    assert.equal(await decryptWith(h, spared.blob), 'to be shredded');
  });

  void it('a CancelKeyDeletion landing between the due list and the deletion wins: the key is skipped and kept', async () => {
    const h = harness();
    const job = new DeletionJob(h.keys, h.runner);
    const raced = await keyPendingDeletion(h, 7);
    h.clock.advance(7 * DAY);
    const store = h.store;
    const listDue = store.listKeysDueForDeletion.bind(store);
    store.listKeysDueForDeletion = async (nowMs, limit) => {
      const due = await listDue(nowMs, limit);
      if (due.length > 0) await h.run(cancelKeyDeletion, { key: keyIdReference(raced.keyId) });
      return due;
    };

    assert.deepEqual(await job.run(h.clock.now()), { done: [], skipped: [raced.keyId], failures: [] });
    assert.equal((await h.store.getKey(raced.keyId))?.keyState, KeyState.Enabled);
    assert.equal(await versionCount(h.store, raced.keyId), 2);
    assert.ok(await h.store.getAlias(raced.aliasName));
    assert.equal(await decryptWith(h, raced.blob), 'to be shredded');
  });

  void it('drains a backlog larger than one batch in one run', async () => {
    const h = harness();
    const job = new DeletionJob(h.keys, h.runner);
    const keyIds: string[] = [];
    for (let i = 0; i < 230; i++) {
      const key = await createPlainKey(h);
      await h.run(scheduleKeyDeletion, { key: keyIdReference(key.keyId), pendingWindowInDays: 7 });
      keyIds.push(key.keyId);
    }
    h.clock.advance(7 * DAY);
    const report = await job.run(h.clock.now());
    assert.deepEqual([...report.done].sort(), [...keyIds].sort());
    assert.equal((await h.store.listKeys({}, FIRST_PAGE)).totalCount, 0);
  });
});
