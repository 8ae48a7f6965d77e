// `arca root-key rotate` as an operator runs it (ADR 34): a server restarted with the new and the
// previous root key keeps serving under load while every stored secret is sealed again; a second
// run finds nothing left; the server then starts with the new key alone and opens everything, and
// the old key alone no longer opens the data directory.
import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import Database from 'better-sqlite3';

import { SealPurpose } from '../../src/domain/seal-purposes.js';
import { RootKey } from '../../src/protection/root-key.js';
import { runCli } from '../support/arca-cli.js';
import { ensureBuilt, killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { v3Caller } from '../support/clients.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

interface Sealed {
  readonly plaintext: string;
  readonly blob: string;
}

const credentials = randomCredentials('rotate');

before(() => {
  ensureBuilt();
});

after(() => {
  killAllArcas();
  removeDataDirs();
});

async function decryptsAll(server: ArcaProcess, sealed: readonly Sealed[]): Promise<void> {
  const call = v3Caller(server, { credentials });
  for (const { plaintext, blob } of sealed) assert.equal((await call('Decrypt', { CiphertextBlob: blob })).Plaintext, plaintext);
}

describe('arca root-key rotate while the server runs with both root keys', () => {
  let dataDir: string;
  let oldKey: string;
  let newKey: string;
  const sealedBefore: Sealed[] = [];
  const sealedDuring: Sealed[] = [];
  const failuresDuring: unknown[] = [];
  let firstRun: { code: number | null; text: string; stderr: string };

  before(async () => {
    dataDir = newDataDir('arca-rotate-');
    const keys = newDataDir('arca-rotate-keys-');
    oldKey = join(keys, 'root-1.key');
    newKey = join(keys, 'root-2.key');

    const first = await spawnArca({ dataDir, credentials, args: ['--root-key-file', oldKey] });
    const call = v3Caller(first, { credentials });
    const keyIds: string[] = [];
    for (const KeySpec of ['Aliyun_AES_256', 'Aliyun_SM4', 'Aliyun_AES_256'])
      keyIds.push((await call('CreateKey', { KeySpec })).KeyMetadata.KeyId);
    for (const KeyId of keyIds) {
      const plaintext = randomBytes(16).toString('base64');
      sealedBefore.push({ plaintext, blob: (await call('Encrypt', { KeyId, Plaintext: plaintext })).CiphertextBlob });
    }
    await call('CreateKeyVersion', { KeyId: keyIds[0] });
    for (const KeyId of keyIds) {
      const plaintext = randomBytes(16).toString('base64');
      sealedBefore.push({ plaintext, blob: (await call('Encrypt', { KeyId, Plaintext: plaintext })).CiphertextBlob });
    }
    await first.stop();

    const created = await runCli(['root-key', 'create', '--out', newKey]);
    assert.equal(created.code, 0, created.stderr);

    const both = await spawnArca({ dataDir, credentials, args: ['--root-key-file', newKey, '--previous-root-key-file', oldKey] });
    const during = v3Caller(both, { credentials });
    let loading = true;
    const worker = async (index: number): Promise<void> => {
      for (let round = 0; loading; round += 1) {
        try {
          const old = sealedBefore[(index + round) % sealedBefore.length] as Sealed;
          assert.equal((await during('Decrypt', { CiphertextBlob: old.blob })).Plaintext, old.plaintext);
          const plaintext = randomBytes(16).toString('base64');
          const KeyId = keyIds[round % keyIds.length] as string;
          sealedDuring.push({ plaintext, blob: (await during('Encrypt', { KeyId, Plaintext: plaintext })).CiphertextBlob });
          if (round % 5 === 0) await during('CreateKey', {});
        } catch (error) {
          failuresDuring.push(error);
        }
      }
    };
    const load = Array.from({ length: 6 }, (_, index) => worker(index));
    while (sealedDuring.length < 20) await new Promise((resolve) => setTimeout(resolve, 20));
    firstRun = await runCli(['root-key', 'rotate', '--data-dir', dataDir, '--root-key-file', newKey, '--previous-root-key-file', oldKey]);
    const atRotationEnd = sealedDuring.length;
    while (sealedDuring.length < atRotationEnd + 20) await new Promise((resolve) => setTimeout(resolve, 20));
    loading = false;
    await Promise.all(load);
    await both.stop();
  });

  it('re-seals every stored secret, while every request of the load succeeds', () => {
    assert.equal(firstRun.code, 0, firstRun.stderr);
    const match = /^sealed (\d+) stored secrets again/m.exec(firstRun.text);
    // Sealed under the old key: the 4 key versions made before, the administrator's access key and
    // the root-key check. (The digest key was stored under the new key by the server's start.)
    assert.ok(match && Number(match[1]) >= 6, firstRun.text);
    assert.deepEqual(failuresDuring, []);
  });

  it('a second run finds nothing left to do', async () => {
    const again = await runCli([
      'root-key',
      'rotate',
      '--data-dir',
      dataDir,
      '--root-key-file',
      newKey,
      '--previous-root-key-file',
      oldKey,
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.text, /^sealed 0 stored secrets again under .*; \d+ were sealed under it already; 0 changed meanwhile$/m);
  });

  it('every sealed value in the database opens under the new root key', async () => {
    const current = RootKey.fromBase64(readFileSync(newKey, 'utf8').trim(), newKey);
    const db = new Database(join(dataDir, 'arca.db'), { readonly: true });
    try {
      const versions = db
        .prepare("SELECT key_version_id AS id, sealed_material AS sealed FROM key_versions WHERE protection_kind = 'software'")
        .all() as Array<{ id: string; sealed: Buffer }>;
      assert.ok(versions.length >= 4);
      for (const { id, sealed } of versions) await current.open(sealed, SealPurpose.KeyMaterial, id);
      const accessKeys = db.prepare('SELECT access_key_id AS id, sealed_secret AS sealed FROM access_keys').all() as Array<{
        id: string;
        sealed: Buffer;
      }>;
      for (const { id, sealed } of accessKeys) await current.open(sealed, SealPurpose.AccessKeySecret, id);
      const check = db.prepare("SELECT value FROM metadata WHERE name = 'root-key-check'").get() as { value: Buffer };
      await current.open(check.value, SealPurpose.RootKeyCheck, 'root-key-check');
      const digest = db.prepare("SELECT value FROM metadata WHERE name = 'digest-key'").get() as { value: Buffer };
      await current.open(digest.value, SealPurpose.DigestKey, 'digest-key');
    } finally {
      db.close();
    }
  });

  it('the server with the new root key alone decrypts everything made before and during the rotation', async () => {
    const server = await spawnArca({ dataDir, credentials, args: ['--root-key-file', newKey] });
    try {
      await decryptsAll(server, sealedBefore);
      await decryptsAll(server, sealedDuring);
    } finally {
      await server.stop();
    }
  });

  it('the old root key alone no longer opens the data directory', async () => {
    const refused = await runCli(['server', '--port', '0', '--data-dir', dataDir, '--root-key-file', oldKey]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^arca: the root key does not match this data directory/m);
  });

  it("refuses two root keys neither of which is the data directory's, and the same key twice", async () => {
    const keys = newDataDir('arca-rotate-strangers-');
    for (const name of ['a.key', 'b.key']) assert.equal((await runCli(['root-key', 'create', '--out', join(keys, name)])).code, 0);
    const strangers = await runCli([
      'root-key',
      'rotate',
      '--data-dir',
      dataDir,
      '--root-key-file',
      join(keys, 'a.key'),
      '--previous-root-key-file',
      join(keys, 'b.key'),
    ]);
    assert.equal(strangers.code, 1);
    assert.match(strangers.stderr, /the root key does not match this data directory/);
    const same = await runCli(['root-key', 'rotate', '--data-dir', dataDir, '--root-key-file', newKey, '--previous-root-key-file', newKey]);
    assert.equal(same.code, 1);
    assert.match(same.stderr, /the new and the previous root key are the same key/);
  });
});

describe('bring your own key across a root key rotation', () => {
  /** RSAES-OAEP-SHA-256 under the public key GetParametersForImport gave, as a client wraps. */
  function wrap(publicKeyBase64: string, material: Buffer): string {
    const key = createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
    return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material).toString('base64');
  }

  type Call = (action: string, query: Record<string, unknown>) => Promise<any>;

  async function tokenFor(call: Call, KeyId: string): Promise<{ ImportToken: string; PublicKey: string }> {
    return call('GetParametersForImport', { KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
  }

  async function importWith(call: Call, KeyId: string, token: { ImportToken: string; PublicKey: string }, material: Buffer): Promise<void> {
    await call('ImportKeyMaterial', {
      KeyId,
      ImportToken: token.ImportToken,
      EncryptedKeyMaterial: wrap(token.PublicKey, material),
      KeyMaterialExpireUnix: 0,
    });
  }

  it('the same material imports again after the rotation, other material does not; tokens from before open only while the previous key is given', async () => {
    const dataDir = newDataDir('arca-rotate-byok-');
    const keys = newDataDir('arca-rotate-byok-keys-');
    const oldKey = join(keys, 'root-1.key');
    const newKey = join(keys, 'root-2.key');
    const material = randomBytes(32);

    const first = await spawnArca({ dataDir, credentials, args: ['--root-key-file', oldKey] });
    let call: Call = v3Caller(first, { credentials });
    const imported = (await call('CreateKey', { Origin: 'EXTERNAL' })).KeyMetadata.KeyId as string;
    await importWith(call, imported, await tokenFor(call, imported), material);
    const { CiphertextBlob } = await call('Encrypt', { KeyId: imported, Plaintext: 'aW1wb3J0ZWQ=' });
    const duringRotation = (await call('CreateKey', { Origin: 'EXTERNAL' })).KeyMetadata.KeyId as string;
    const tokenDuring = await tokenFor(call, duringRotation);
    const afterRotation = (await call('CreateKey', { Origin: 'EXTERNAL' })).KeyMetadata.KeyId as string;
    const tokenAfter = await tokenFor(call, afterRotation);
    await first.stop();

    assert.equal((await runCli(['root-key', 'create', '--out', newKey])).code, 0);
    const both = await spawnArca({ dataDir, credentials, args: ['--root-key-file', newKey, '--previous-root-key-file', oldKey] });
    call = v3Caller(both, { credentials });
    const rotated = await runCli([
      'root-key',
      'rotate',
      '--data-dir',
      dataDir,
      '--root-key-file',
      newKey,
      '--previous-root-key-file',
      oldKey,
    ]);
    assert.equal(rotated.code, 0, rotated.stderr);
    await importWith(call, duringRotation, tokenDuring, randomBytes(32));
    assert.equal((await call('DescribeKey', { KeyId: duringRotation })).KeyMetadata.KeyState, 'Enabled');
    await both.stop();

    const alone = await spawnArca({ dataDir, credentials, args: ['--root-key-file', newKey] });
    call = v3Caller(alone, { credentials });
    try {
      await call('DeleteKeyMaterial', { KeyId: imported });
      await assert.rejects(importWith(call, imported, await tokenFor(call, imported), randomBytes(32)), /InvalidKeyMaterial/);
      await importWith(call, imported, await tokenFor(call, imported), material);
      assert.equal((await call('Decrypt', { CiphertextBlob })).Plaintext, 'aW1wb3J0ZWQ=');
      await assert.rejects(importWith(call, afterRotation, tokenAfter, randomBytes(32)), /InvalidImportToken/);
    } finally {
      await alone.stop();
    }
  });
});
