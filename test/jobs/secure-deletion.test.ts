// Deletion that deletes: once a key is destroyed (the deletion job) or its imported material is
// (DeleteKeyMaterial, the expiry job), its sealed material must be gone from the SQLite files
// themselves, not only from the rows. Before secure_delete and the WAL checkpoint, the freed
// cells kept the sealed bytes in arca.db, the WAL kept every page that ever held them, and the
// root key still opened them. The files are read raw here, as anyone with a copy of the data
// directory would read them.
import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Key } from '../../src/domain/key.js';
import { keyIdReference } from '../../src/domain/key-reference.js';
import { Origin } from '../../src/domain/key-spec.js';
import { DeletionJob } from '../../src/jobs/deletion-job.js';
import { MaterialExpiryJob } from '../../src/jobs/material-expiry-job.js';
import { SqliteKeyStore } from '../../src/keystore/sqlite/sqlite-key-store.js';
import { createKey } from '../../src/operations/create-key.js';
import { createKeyVersion } from '../../src/operations/create-key-version.js';
import { deleteKeyMaterial } from '../../src/operations/delete-key-material.js';
import { getParametersForImport } from '../../src/operations/get-parameters-for-import.js';
import { importKeyMaterial } from '../../src/operations/import-key-material.js';
import { scheduleKeyDeletion } from '../../src/operations/schedule-key-deletion.js';
import { createPlainKey, DAY, encryptWith, harness, SECOND, type Harness } from './support.js';

const DATABASE_FILES = ['arca.db', 'arca.db-wal', 'arca.db-shm'] as const;
/** A remnant this long of a sealed blob would already be a finding; every such window is looked for. */
const WINDOW_BYTES = 16;

/** The database files as they are on disk now, while the store is open. */
function readDatabaseFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of DATABASE_FILES) {
    const file = join(dir, name);
    if (existsSync(file)) files.set(name, readFileSync(file));
  }
  return files;
}

/** The files (by name) holding any 16-byte window of `sealed`. */
function filesHolding(dir: string, sealed: Buffer): string[] {
  const holding: string[] = [];
  for (const [name, content] of readDatabaseFiles(dir)) {
    for (let start = 0; start + WINDOW_BYTES <= sealed.length; start++) {
      if (content.includes(sealed.subarray(start, start + WINDOW_BYTES))) {
        holding.push(name);
        break;
      }
    }
  }
  return holding;
}

/** The sealed material of every version of `key`, as the store holds it. */
async function sealedMaterialOf(h: Harness, key: Key): Promise<Buffer[]> {
  const { items } = await h.store.listKeyVersions(key.keyId, { pageNumber: 1, pageSize: 100 });
  return items.map((version) => {
    assert.ok(version.material, `version ${version.keyVersionId} has material`);
    return Buffer.from(version.material.sealed);
  });
}

async function importInto(h: Harness, keyId: string, material: Buffer, keyMaterialExpireUnix = 0): Promise<void> {
  const key = keyIdReference(keyId);
  const params = await h.run(getParametersForImport, { key, wrappingKeySpec: 'RSA_2048', wrappingAlgorithm: 'RSAES_OAEP_SHA_256' });
  const publicKey = createPublicKey({ key: params.publicKeySpki, format: 'der', type: 'spki' });
  const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
  await h.run(importKeyMaterial, { key, importToken: params.importToken, encryptedKeyMaterial: wrapped, keyMaterialExpireUnix });
}

async function importedKey(h: Harness, keyMaterialExpireUnix = 0): Promise<Key> {
  const key = await h.run(createKey, { origin: Origin.External });
  await importInto(h, key.keyId, randomBytes(32), keyMaterialExpireUnix);
  const imported = await h.store.getKey(key.keyId);
  assert.ok(imported);
  return imported;
}

/** Keys that stay, so that the pages the destroyed material lived on stay in use around it. */
async function neighbours(h: Harness): Promise<Buffer[]> {
  const sealed: Buffer[] = [];
  for (let i = 0; i < 4; i++) sealed.push(...(await sealedMaterialOf(h, await createPlainKey(h))));
  return sealed;
}

void describe('destroyed key material leaves the SQLite files (arca.db, its WAL and shared memory)', () => {
  let dir: string;
  let store: SqliteKeyStore;
  let h: Harness;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'arca-secure-delete-'));
    store = SqliteKeyStore.open(join(dir, 'arca.db'));
    h = harness({ store });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  void it('after the deletion job destroys a key, none of its versions’ sealed material is in any file', async () => {
    const before = await neighbours(h);
    const doomed = await createPlainKey(h);
    await h.run(createKeyVersion, { key: keyIdReference(doomed.keyId) });
    await encryptWith(h, doomed.keyId, 'to be shredded');
    const sealed = await sealedMaterialOf(h, doomed);
    assert.equal(sealed.length, 2);
    const after = await neighbours(h);
    for (const blob of sealed)
      assert.notDeepEqual(filesHolding(dir, blob), [], 'the material is in the files before (so the test can tell)');

    await h.run(scheduleKeyDeletion, { key: keyIdReference(doomed.keyId), pendingWindowInDays: 7 });
    h.clock.advance(7 * DAY);
    assert.deepEqual((await new DeletionJob(h.keys, h.runner).run(h.clock.now())).done, [doomed.keyId]);

    for (const blob of sealed) assert.deepEqual(filesHolding(dir, blob), [], 'the destroyed material is in no file');
    for (const blob of [...before, ...after]) assert.notDeepEqual(filesHolding(dir, blob), [], 'the other keys are untouched');
  });

  void it('after DeleteKeyMaterial, the imported material’s sealed form is in no file', async () => {
    await neighbours(h);
    const key = await importedKey(h);
    const [sealed] = await sealedMaterialOf(h, key);
    assert.ok(sealed);
    await neighbours(h);
    assert.notDeepEqual(filesHolding(dir, sealed), []);

    await h.run(deleteKeyMaterial, { key: keyIdReference(key.keyId) });

    assert.deepEqual(filesHolding(dir, sealed), []);
  });

  void it('after the expiry job destroys expired material, its sealed form is in no file', async () => {
    await neighbours(h);
    const key = await importedKey(h, Math.floor(h.clock.now() / 1000) + 60);
    const [sealed] = await sealedMaterialOf(h, key);
    assert.ok(sealed);
    await neighbours(h);
    assert.notDeepEqual(filesHolding(dir, sealed), []);

    h.clock.advance(60 * SECOND);
    assert.deepEqual((await new MaterialExpiryJob(h.keys, h.runner).run(h.clock.now())).done, [key.keyId]);

    assert.deepEqual(filesHolding(dir, sealed), []);
  });
});
