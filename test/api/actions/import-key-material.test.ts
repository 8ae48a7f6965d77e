// ImportKeyMaterial through inject(): §4 — KeyId, EncryptedKeyMaterial (base64 of the wrapped
// material), ImportToken, KeyMaterialExpireUnix (unix seconds; 0 or absent: never); {RequestId}.
// PendingImport → Enabled. Aliyun_AES_256 takes 32 bytes; only the same material can be re-imported.
import assert from 'node:assert/strict';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  apiForFile,
  createKey,
  DAY_MS,
  describeKey,
  encryptUnder,
  EXPIRED_IMPORT_TOKEN,
  importParameters,
  invalid,
  INVALID_IMPORT_TOKEN,
  INVALID_KEY_MATERIAL,
  KEY_NOT_FOUND,
  missing,
  moveTo,
  must,
  okEmpty,
  refused,
  REJECTED_PENDING_IMPORT,
  STATE_MODIFIED_FAILED,
  UNSUPPORTED_ORIGIN,
  wireTime,
  wrapForImport,
} from './helpers.js';

const api = apiForFile();

async function importCall(
  keyId: string,
  params: { ImportToken: string; PublicKey: string },
  material: Buffer,
  extra: Record<string, string | number> = {},
) {
  return api().call('ImportKeyMaterial', {
    KeyId: keyId,
    ImportToken: params.ImportToken,
    EncryptedKeyMaterial: wrapForImport(params.PublicKey, material),
    KeyMaterialExpireUnix: 0,
    ...extra,
  });
}

describe('ImportKeyMaterial', () => {
  it('answers only {RequestId}; the key is Enabled, encrypts with exactly the imported material (AES-256-GCM), and takes the same material again with the same token', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL' });
    const material = randomBytes(32);
    const params = await importParameters(api(), KeyId);
    okEmpty(await importCall(KeyId, params, material));
    const metadata = await describeKey(api(), KeyId);
    assert.equal(metadata.KeyState, 'Enabled');
    assert.equal(metadata.MaterialExpireTime, '');
    const blob = Buffer.from(await encryptUnder(api(), KeyId, 'known text'), 'base64');
    // Without the blob's additional data GCM still yields the plaintext before its tag check:
    // enough to show which key encrypted.
    const decipher = createDecipheriv('aes-256-gcm', material, blob.subarray(36, 48));
    assert.equal(decipher.update(blob.subarray(48, blob.length - 16)).toString('utf8'), 'known text');
    // The same material again, with the same token within its 24 hours.
    okEmpty(await importCall(KeyId, params, material));
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'Enabled');
  });

  it('sets MaterialExpireTime from KeyMaterialExpireUnix; once it passes the key refuses Encrypt with 409 Rejected.PendingImport', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL' });
    const expireUnix = Math.floor(api().clock.now() / 1000) + 3600;
    okEmpty(await importCall(KeyId, await importParameters(api(), KeyId), randomBytes(32), { KeyMaterialExpireUnix: expireUnix }));
    assert.equal((await describeKey(api(), KeyId)).MaterialExpireTime, wireTime(expireUnix * 1000));
    await encryptUnder(api(), KeyId, 'before expiry');
    api().clock.advance(3600 * 1000);
    refused(await api().call('Encrypt', { KeyId, Plaintext: 'after expiry' }), REJECTED_PENDING_IMPORT);
  });

  it('answers only {RequestId} when signed with HMAC-SHA1 over GET', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL', KeySpec: 'Aliyun_SM4' });
    const params = await importParameters(api(), KeyId);
    const request = {
      KeyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapForImport(params.PublicKey, randomBytes(16)),
      KeyMaterialExpireUnix: '0',
    };
    okEmpty(await api().call('ImportKeyMaterial', request, { signature: 'HMAC-SHA1' }));
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'Enabled');
  });

  it('refuses material of the wrong size, material that does not unwrap, and other material than the first with 400 InvalidKeyMaterial', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL' });
    const params = await importParameters(api(), KeyId);
    refused(await importCall(KeyId, params, randomBytes(16)), INVALID_KEY_MATERIAL);
    refused(
      await api().call('ImportKeyMaterial', {
        KeyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: randomBytes(256).toString('base64'),
      }),
      INVALID_KEY_MATERIAL,
    );
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'PendingImport');
    okEmpty(await importCall(KeyId, params, randomBytes(32)));
    refused(await importCall(KeyId, params, randomBytes(32)), INVALID_KEY_MATERIAL);
  });

  it('refuses a token made for another key and a garbled token with 400 InvalidImportToken', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL' });
    const other = await createKey(api(), { Origin: 'EXTERNAL' });
    const foreign = await importParameters(api(), other.KeyId);
    refused(await importCall(KeyId, foreign, randomBytes(32)), INVALID_IMPORT_TOKEN);
    refused(await importCall(KeyId, { ...foreign, ImportToken: 'bm90IGEgdG9rZW4=' }, randomBytes(32)), INVALID_IMPORT_TOKEN);
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'PendingImport');
  });

  it('refuses a token after its 24 hours with 400 ExpiredImportToken', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL' });
    const params = await importParameters(api(), KeyId);
    api().clock.advance(DAY_MS);
    refused(await importCall(KeyId, params, randomBytes(32)), EXPIRED_IMPORT_TOKEN);
  });

  it('refuses a KeyMaterialExpireUnix in the past or not an integer with InvalidParameter KeyMaterialExpireUnix', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL' });
    const now = Math.floor(api().clock.now() / 1000);
    for (const expireUnix of [now, now - 60, -1, 'tomorrow']) {
      refused(
        await api().call('ImportKeyMaterial', {
          KeyId,
          ImportToken: 'AAAA',
          EncryptedKeyMaterial: 'AAAA',
          KeyMaterialExpireUnix: expireUnix,
        }),
        invalid('KeyMaterialExpireUnix'),
      );
    }
  });

  it('refuses a missing KeyId, EncryptedKeyMaterial or ImportToken with MissingParameter naming it', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL' });
    refused(await api().call('ImportKeyMaterial', { EncryptedKeyMaterial: 'AAAA', ImportToken: 'AAAA' }), missing('KeyId'));
    refused(await api().call('ImportKeyMaterial', { KeyId, ImportToken: 'AAAA' }), missing('EncryptedKeyMaterial'));
    refused(await api().call('ImportKeyMaterial', { KeyId, EncryptedKeyMaterial: 'AAAA' }), missing('ImportToken'));
  });

  it('refuses a key whose material Arca made with 400 Unsupported.Origin, a PendingDeletion key with 409 Rejected.StateModifiedFailed, and an unknown key with 404', async () => {
    const own = await createKey(api());
    refused(
      await api().call('ImportKeyMaterial', { KeyId: own.KeyId, EncryptedKeyMaterial: 'AAAA', ImportToken: 'AAAA' }),
      UNSUPPORTED_ORIGIN,
    );
    const { KeyId: keyId } = await createKey(api(), { Origin: 'EXTERNAL' });
    const params = await importParameters(api(), keyId);
    const material = randomBytes(32);
    okEmpty(await importCall(keyId, params, material));
    await moveTo(api(), keyId, 'PendingDeletion');
    refused(await importCall(keyId, params, material), STATE_MODIFIED_FAILED);
    refused(
      await api().call('ImportKeyMaterial', {
        KeyId: '00000000-0000-4000-8000-000000000000',
        EncryptedKeyMaterial: 'AAAA',
        ImportToken: 'AAAA',
      }),
      KEY_NOT_FOUND,
    );
    assert.equal((await must(api(), 'DescribeKey', { KeyId: keyId })).KeyMetadata.KeyState, 'PendingDeletion');
  });
});
