import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Key } from '../../src/domain/key.js';
import { keyIdReference } from '../../src/domain/key-reference.js';
import { KeyState } from '../../src/domain/key-state.js';
import { SqliteKeyStore } from '../../src/keystore/sqlite/sqlite-key-store.js';
import { RotationJob } from '../../src/jobs/rotation-job.js';
import { DUE_BATCH_SIZE } from '../../src/jobs/job.js';
import { disableKey } from '../../src/operations/disable-key.js';
import { enableKey } from '../../src/operations/enable-key.js';
import { scheduleKeyDeletion } from '../../src/operations/schedule-key-deletion.js';
import { cancelKeyDeletion } from '../../src/operations/cancel-key-deletion.js';
import { updateRotationPolicy } from '../../src/operations/update-rotation-policy.js';
import {
  DAY,
  FakeClock,
  createPlainKey,
  createRotatingKey,
  decryptWith,
  encryptWith,
  harness,
  newRootKey,
  versionCount,
  type Harness,
} from './support.js';

const WEEK = 7 * DAY;

async function stored(h: Harness, keyId: string): Promise<Key> {
  const key = await h.store.getKey(keyId);
  assert.ok(key, `key ${keyId} is stored`);
  return key;
}

void describe('RotationJob', () => {
  void it('does not rotate a 7d key before its due date', async () => {
    const h = harness();
    const job = new RotationJob(h.keys, h.runner);
    const key = await createRotatingKey(h, '7d');
    h.clock.advance(WEEK - 1);
    const report = await job.run(h.clock.now());
    assert.deepEqual(report, { done: [], skipped: [], failures: [] });
    assert.deepEqual(await stored(h, key.keyId), key);
    assert.equal(await versionCount(h.store, key.keyId), 1);
  });

  void it('rotates it once at the due date: new primary, one more version, lastRotationDate = now, old blobs open', async () => {
    const h = harness();
    const job = new RotationJob(h.keys, h.runner);
    const key = await createRotatingKey(h, '7d');
    const oldBlob = await encryptWith(h, key.keyId, 'sealed before the rotation');
    h.clock.advance(WEEK);

    const report = await job.run(h.clock.now());

    assert.deepEqual(report, { done: [key.keyId], skipped: [], failures: [] });
    const after = await stored(h, key.keyId);
    assert.notEqual(after.primaryKeyVersionId, key.primaryKeyVersionId);
    assert.equal(after.lastRotationDate, h.clock.now());
    assert.equal(after.revision, key.revision + 1);
    assert.equal(await versionCount(h.store, key.keyId), 2);
    assert.ok(await h.store.getKeyVersion(after.primaryKeyVersionId), 'the new primary version is stored');
    assert.equal(await decryptWith(h, oldBlob), 'sealed before the rotation');
    // New data goes to the new version, and the cache already knows it.
    const newBlob = await encryptWith(h, key.keyId, 'sealed after');
    assert.equal(await decryptWith(h, newBlob), 'sealed after');
    assert.notEqual(newBlob.slice(0, 48), oldBlob.slice(0, 48), 'another version id in the blob header');
  });

  void it('a second tick at the same time does nothing; the next rotation is one interval after this one', async () => {
    const h = harness();
    const job = new RotationJob(h.keys, h.runner);
    const key = await createRotatingKey(h, '7d');
    h.clock.advance(WEEK + 5_000);
    await job.run(h.clock.now());
    const rotated = await stored(h, key.keyId);

    assert.deepEqual(await job.run(h.clock.now()), { done: [], skipped: [], failures: [] });
    h.clock.advance(WEEK - 1);
    assert.deepEqual((await job.run(h.clock.now())).done, []);
    assert.deepEqual(await stored(h, key.keyId), rotated);
    assert.equal(await versionCount(h.store, key.keyId), 2);

    h.clock.advance(1);
    assert.deepEqual((await job.run(h.clock.now())).done, [key.keyId]);
    assert.equal(await versionCount(h.store, key.keyId), 3);
  });

  void it('a key due many intervals ago (the server was down) rotates once', async () => {
    const h = harness();
    const job = new RotationJob(h.keys, h.runner);
    const key = await createRotatingKey(h, '7d');
    h.clock.advance(10 * WEEK);
    assert.deepEqual((await job.run(h.clock.now())).done, [key.keyId]);
    assert.deepEqual((await job.run(h.clock.now())).done, []);
    assert.equal(await versionCount(h.store, key.keyId), 2);
    assert.equal((await stored(h, key.keyId)).lastRotationDate, h.clock.now());
  });

  void it('a Disabled key is not rotated (Suspended), and rotates at the first tick after EnableKey', async () => {
    const h = harness();
    const job = new RotationJob(h.keys, h.runner);
    const key = await createRotatingKey(h, '7d');
    await h.run(disableKey, { key: keyIdReference(key.keyId) });
    h.clock.advance(3 * WEEK);
    assert.deepEqual(await job.run(h.clock.now()), { done: [], skipped: [], failures: [] });
    assert.equal(await versionCount(h.store, key.keyId), 1);

    await h.run(enableKey, { key: keyIdReference(key.keyId) });
    assert.deepEqual((await job.run(h.clock.now())).done, [key.keyId]);
    assert.equal(await versionCount(h.store, key.keyId), 2);
    assert.equal((await stored(h, key.keyId)).keyState, KeyState.Enabled);
  });

  void it('a PendingDeletion key is not rotated, and rotates again after CancelKeyDeletion', async () => {
    const h = harness();
    const job = new RotationJob(h.keys, h.runner);
    const key = await createRotatingKey(h, '7d');
    await h.run(scheduleKeyDeletion, { key: keyIdReference(key.keyId), pendingWindowInDays: 30 });
    h.clock.advance(2 * WEEK);
    assert.deepEqual((await job.run(h.clock.now())).done, []);
    await h.run(cancelKeyDeletion, { key: keyIdReference(key.keyId) });
    assert.deepEqual((await job.run(h.clock.now())).done, [key.keyId]);
  });

  void it('rotates nothing with automatic rotation off, and a key whose rotation is turned on late at the next tick', async () => {
    const h = harness();
    const job = new RotationJob(h.keys, h.runner);
    const plain = await createPlainKey(h);
    h.clock.advance(5 * WEEK);
    assert.deepEqual((await job.run(h.clock.now())).done, []);
    await h.run(updateRotationPolicy, {
      key: keyIdReference(plain.keyId),
      enableAutomaticRotation: true,
      rotationIntervalSeconds: 30 * 86_400,
    });
    assert.deepEqual((await job.run(h.clock.now())).done, [plain.keyId]);
  });

  void it(`drains a backlog of 250 due keys in one run (batches of ${DUE_BATCH_SIZE}), each rotated once`, async () => {
    const h = harness();
    const job = new RotationJob(h.keys, h.runner);
    const keyIds: string[] = [];
    for (let i = 0; i < 250; i++) {
      keyIds.push((await createRotatingKey(h, '7d')).keyId);
      h.clock.advance(1);
    }
    h.clock.advance(WEEK);
    const report = await job.run(h.clock.now());
    assert.equal(report.done.length, 250);
    assert.deepEqual([...report.done].sort(), [...keyIds].sort());
    assert.deepEqual(report.done, keyIds, 'oldest due first');
    assert.deepEqual(await h.store.listKeysDueForRotation(h.clock.now(), 1000), []);
    for (const keyId of keyIds) assert.equal(await versionCount(h.store, keyId), 2);
    assert.deepEqual((await job.run(h.clock.now())).done, []);
  });

  void it('a key whose rotation fails is reported, does not hold up the others, and is retried at the next tick', async () => {
    const h = harness();
    const job = new RotationJob(h.keys, h.runner);
    const keyIds: string[] = [];
    for (let i = 0; i < 3; i++) keyIds.push((await createRotatingKey(h, '7d')).keyId);
    const [broken, ...healthy] = keyIds as [string, ...string[]];
    const store = h.store;
    const addKeyVersion = store.addKeyVersion.bind(store);
    let failNext = true;
    store.addKeyVersion = (key, version, expectedRevision) => {
      if (key.keyId === broken && failNext) {
        failNext = false;
        return Promise.reject(new Error('disk full'));
      }
      return addKeyVersion(key, version, expectedRevision);
    };
    h.clock.advance(WEEK);

    const first = await job.run(h.clock.now());
    assert.deepEqual([...first.done].sort(), [...healthy].sort());
    assert.deepEqual(
      first.failures.map(({ keyId, error }) => [keyId, (error as Error).message]),
      [[broken, 'disk full']],
    );
    assert.deepEqual((await job.run(h.clock.now())).done, [broken]);
    for (const keyId of keyIds) assert.equal(await versionCount(h.store, keyId), 2);
  });

  void it('a key changed by another writer between the due list and the rotation is skipped, then rotated at the next tick', async () => {
    const h = harness();
    const job = new RotationJob(h.keys, h.runner);
    const key = await createRotatingKey(h, '7d');
    h.clock.advance(WEEK);
    const store = h.store;
    const listDue = store.listKeysDueForRotation.bind(store);
    let interfere = true;
    store.listKeysDueForRotation = async (nowMs, limit) => {
      const due = await listDue(nowMs, limit);
      if (interfere) {
        interfere = false;
        // Another writer (a request on another node) changes the key after the job read it.
        const current = await store.getKey(key.keyId);
        assert.ok(current);
        await store.updateKey({ ...current, description: 'changed meanwhile', revision: current.revision + 1 }, current.revision);
      }
      return due;
    };

    assert.deepEqual(await job.run(h.clock.now()), { done: [], skipped: [key.keyId], failures: [] });
    assert.equal(await versionCount(h.store, key.keyId), 1);
    assert.deepEqual((await job.run(h.clock.now())).done, [key.keyId]);
    assert.equal(await versionCount(h.store, key.keyId), 2);
  });

  void it('two jobs on two connections to one SQLite file racing the same due keys add exactly one version each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arca-rotation-race-'));
    const file = join(dir, 'arca.db');
    const rootKey = newRootKey();
    const clock = new FakeClock();
    const first = harness({ store: SqliteKeyStore.open(file), clock, rootKey });
    const second = harness({ store: SqliteKeyStore.open(file), clock, rootKey });
    try {
      const keyIds: string[] = [];
      for (let i = 0; i < 20; i++) keyIds.push((await createRotatingKey(i % 2 === 0 ? first : second, '7d')).keyId);
      const blob = await encryptWith(first, keyIds[0]!, 'before the race');
      clock.advance(WEEK);

      for (let round = 0; round < 3; round++) {
        const reports = await Promise.all([
          new RotationJob(first.keys, first.runner).run(clock.now()),
          new RotationJob(second.keys, second.runner).run(clock.now()),
        ]);
        const rotatedBy = reports.flatMap((report) => report.done);
        if (round === 0) {
          assert.deepEqual([...rotatedBy].sort(), [...keyIds].sort(), 'each key rotated by exactly one of the two');
          // Both read every key as due before either wrote: each key was lost by the other job.
          assert.deepEqual([...reports.flatMap((report) => report.skipped)].sort(), [...keyIds].sort());
          for (const report of reports) assert.deepEqual(report.failures, []);
        } else {
          assert.deepEqual(rotatedBy, [], 'nothing is due any more');
        }
      }
      for (const keyId of keyIds) {
        assert.equal(await versionCount(first.store, keyId), 2, `key ${keyId} has exactly two versions`);
      }
      assert.equal(await decryptWith(second, blob), 'before the race');
    } finally {
      await first.store.close();
      await second.store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
