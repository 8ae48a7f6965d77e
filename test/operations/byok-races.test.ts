// Bring your own key at the operations level, where a race can be staged exactly: material that
// expires between two job ticks, CancelKeyDeletion racing DeleteKeyMaterial, the permission check
// before the origin check, and two processes creating a token root key's digest key at once.
// (Found in review after issue 4 merged; each case failed before its fix.)
import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';

import { KmsError } from '../../src/domain/errors.js';
import { keyIdReference } from '../../src/domain/key-reference.js';
import { Origin } from '../../src/domain/key-spec.js';
import { KeyState } from '../../src/domain/key-state.js';
import { MemoryKeyStore } from '../../src/keystore/memory-key-store.js';
import { cancelKeyDeletion } from '../../src/operations/cancel-key-deletion.js';
import { createKey } from '../../src/operations/create-key.js';
import { deleteKeyMaterial } from '../../src/operations/delete-key-material.js';
import { getParametersForImport } from '../../src/operations/get-parameters-for-import.js';
import { importKeyMaterial } from '../../src/operations/import-key-material.js';
import { scheduleKeyDeletion } from '../../src/operations/schedule-key-deletion.js';
import { withSealedDigestKey } from '../../src/protection/sealed-digest-key.js';
import { decryptWith, encryptWith, harness, newRootKey, type Harness } from '../jobs/support.js';

async function importedKey(h: Harness, expireUnix = 0): Promise<string> {
  const keyId = (await h.run(createKey, { origin: Origin.External })).keyId;
  const key = keyIdReference(keyId);
  const params = await h.run(getParametersForImport, { key, wrappingKeySpec: 'RSA_2048', wrappingAlgorithm: 'RSAES_OAEP_SHA_256' });
  const publicKey = createPublicKey({ key: params.publicKeySpki, format: 'der', type: 'spki' });
  const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, randomBytes(32));
  await h.run(importKeyMaterial, {
    key,
    importToken: params.importToken,
    encryptedKeyMaterial: wrapped,
    keyMaterialExpireUnix: expireUnix,
  });
  return keyId;
}

async function refusal(promise: Promise<unknown>): Promise<KmsError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof KmsError, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

describe('bring your own key: expiry, races and check order', () => {
  it('material past its expiry time is unusable at once, before the expiry job runs', async () => {
    const h = harness();
    const keyId = await importedKey(h, Math.floor(h.clock.now() / 1000) + 10);
    const blob = await encryptWith(h, keyId, 'before expiry');
    h.clock.advance(11_000);
    assert.equal((await refusal(encryptWith(h, keyId, 'after expiry'))).kind, 'KeyPendingImport');
    assert.equal((await refusal(decryptWith(h, blob))).kind, 'KeyPendingImport');
  });

  it('CancelKeyDeletion racing DeleteKeyMaterial leaves the key PendingImport, never Enabled without material', async () => {
    let hook: (() => Promise<void>) | undefined;
    class HookedStore extends MemoryKeyStore {
      override async getKeyVersion(id: string): ReturnType<MemoryKeyStore['getKeyVersion']> {
        const version = await super.getKeyVersion(id);
        const run = hook;
        hook = undefined;
        if (run) await run();
        return version;
      }
    }
    const h = harness({ store: new HookedStore() });
    const keyId = await importedKey(h);
    await h.run(scheduleKeyDeletion, { key: keyIdReference(keyId), pendingWindowInDays: 7 });
    // CancelKeyDeletion reads the version (material present); DeleteKeyMaterial lands right after.
    hook = async () => {
      await h.run(deleteKeyMaterial, { key: keyIdReference(keyId) });
    };
    await h.run(cancelKeyDeletion, { key: keyIdReference(keyId) });
    const key = await h.store.getKey(keyId);
    assert.equal(key?.keyState, KeyState.PendingImport);
    assert.equal((await h.store.getKeyVersion(key.primaryKeyVersionId))?.material, null);
  });

  it('ImportKeyMaterial and DeleteKeyMaterial check permission before they say whether the key is EXTERNAL', async () => {
    const h = harness();
    const key = keyIdReference((await h.run(createKey, {})).keyId);
    const stranger = { accessKeyId: 'LTAIstranger', principal: 'user/stranger' };
    assert.equal((await refusal(h.runAs(stranger, deleteKeyMaterial, { key }))).kind, 'AccessDenied');
    const imported = h.runAs(stranger, importKeyMaterial, {
      key,
      importToken: Buffer.from('x'),
      encryptedKeyMaterial: Buffer.from('x'),
      keyMaterialExpireUnix: 0,
    });
    assert.equal((await refusal(imported)).kind, 'AccessDenied');
  });

  it('two processes creating a token root key’s digest key at once end up with the same one', async () => {
    const store = new MemoryKeyStore();
    const rootKey = newRootKey();
    const [a, b] = await Promise.all([withSealedDigestKey(rootKey, store), withSealedDigestKey(rootKey, store)]);
    const later = await withSealedDigestKey(rootKey, store);
    const material = Buffer.alloc(32, 7);
    const digests = await Promise.all([a, b, later].map((secrets) => secrets.digest(material, 'material-commitment', 'key-1')));
    assert.ok(digests[0]?.equals(digests[1] ?? Buffer.alloc(0)) && digests[0].equals(digests[2] ?? Buffer.alloc(0)));
  });
});
