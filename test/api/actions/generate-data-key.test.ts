// GenerateDataKey through inject(): §6.3 — KeyId, KeySpec (AES_256 | AES_128), NumberOfBytes
// (1–1024, wins over KeySpec), EncryptionContext, DryRun; {CiphertextBlob, KeyId, KeyVersionId,
// Plaintext (base64 data key), RequestId}. §5.3: the blob seals the base64 text of the data key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiForFile,
  base64Bytes,
  BLOB_OVERHEAD,
  createKey,
  DRY_RUN,
  fieldsOf,
  invalid,
  INVALID_CIPHERTEXT,
  KEY_NOT_FOUND,
  missing,
  moveTo,
  must,
  ok,
  refused,
  REJECTED_DISABLED,
  REJECTED_PENDING_IMPORT,
} from './helpers.js';

let key: any;
const api = apiForFile(async (api) => {
  key = (await api.call('CreateKey', { KeySpec: 'Aliyun_SM4' })).json.KeyMetadata;
});

describe('GenerateDataKey', () => {
  it('answers a 32-byte data key by default with {CiphertextBlob, KeyId, KeyVersionId, Plaintext, RequestId}; the 108-byte blob decrypts to the same base64 text', async () => {
    const body = ok(await api().call('GenerateDataKey', { KeyId: key.KeyId }));
    assert.deepEqual(fieldsOf(body), ['CiphertextBlob', 'KeyId', 'KeyVersionId', 'Plaintext', 'RequestId']);
    assert.equal(body.KeyId, key.KeyId);
    assert.equal(body.KeyVersionId, key.PrimaryKeyVersion);
    assert.equal(base64Bytes(body.Plaintext).length, 32);
    const blob = base64Bytes(body.CiphertextBlob);
    assert.equal(blob.length, BLOB_OVERHEAD + 44);
    assert.equal(blob.toString('latin1', 0, 36), key.PrimaryKeyVersion);
    const decrypted = await must(api(), 'Decrypt', { CiphertextBlob: body.CiphertextBlob });
    assert.equal(decrypted.Plaintext, body.Plaintext);
    assert.equal(decrypted.KeyId, key.KeyId);
  });

  it('sizes the key from KeySpec and lets NumberOfBytes win, even over a KeySpec it does not know', async () => {
    const cases: Array<[Record<string, string | number>, number]> = [
      [{ KeySpec: 'AES_128' }, 16],
      [{ KeySpec: 'AES_256' }, 32],
      [{ NumberOfBytes: 1 }, 1],
      [{ NumberOfBytes: 1024 }, 1024],
      [{ KeySpec: 'AES_128', NumberOfBytes: 64 }, 64],
      [{ KeySpec: 'SM4_128', NumberOfBytes: 16 }, 16],
    ];
    for (const [params, length] of cases) {
      const body = ok(await api().call('GenerateDataKey', { KeyId: key.KeyId, ...params }));
      assert.equal(base64Bytes(body.Plaintext).length, length, JSON.stringify(params));
    }
  });

  it('returns a different data key on every call', async () => {
    const a = ok(await api().call('GenerateDataKey', { KeyId: key.KeyId })).Plaintext;
    const b = ok(await api().call('GenerateDataKey', { KeyId: key.KeyId })).Plaintext;
    assert.notEqual(a, b);
  });

  it('binds the data key to its EncryptionContext', async () => {
    const body = ok(await api().call('GenerateDataKey', { KeyId: key.KeyId, EncryptionContext: { file: 'a.bin' } }));
    assert.equal(
      (await must(api(), 'Decrypt', { CiphertextBlob: body.CiphertextBlob, EncryptionContext: { file: 'a.bin' } })).Plaintext,
      body.Plaintext,
    );
    refused(await api().call('Decrypt', { CiphertextBlob: body.CiphertextBlob, EncryptionContext: { file: 'b.bin' } }), INVALID_CIPHERTEXT);
  });

  it('answers the same shape when signed with HMAC-SHA1 over GET', async () => {
    const body = ok(await api().call('GenerateDataKey', { KeyId: key.KeyId, KeySpec: 'AES_128' }, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(fieldsOf(body), ['CiphertextBlob', 'KeyId', 'KeyVersionId', 'Plaintext', 'RequestId']);
    assert.equal(base64Bytes(body.Plaintext).length, 16);
  });

  it('refuses NumberOfBytes outside 1–1024 or not an integer with InvalidParameter NumberOfBytes, and an unknown KeySpec alone with InvalidParameter KeySpec', async () => {
    for (const n of [0, 1025, -1, '16.0', 'sixteen']) {
      refused(await api().call('GenerateDataKey', { KeyId: key.KeyId, NumberOfBytes: n }), invalid('NumberOfBytes'));
    }
    refused(await api().call('GenerateDataKey', { KeyId: key.KeyId, KeySpec: 'AES_512' }), invalid('KeySpec'));
  });

  it('refuses a missing KeyId with MissingParameter and an unknown key with 404 Forbidden.KeyNotFound', async () => {
    refused(await api().call('GenerateDataKey'), missing('KeyId'));
    refused(await api().call('GenerateDataKey', { KeyId: '00000000-0000-4000-8000-000000000000' }), KEY_NOT_FOUND);
  });

  it('refuses a Disabled key with 409 Rejected.Disabled and a PendingImport key with 409 Rejected.PendingImport', async () => {
    const disabled = await createKey(api());
    await moveTo(api(), disabled.KeyId, 'Disabled');
    refused(await api().call('GenerateDataKey', { KeyId: disabled.KeyId }), REJECTED_DISABLED);
    const external = await createKey(api(), { Origin: 'EXTERNAL' });
    refused(await api().call('GenerateDataKey', { KeyId: external.KeyId }), REJECTED_PENDING_IMPORT);
  });

  it('answers DryRun=true with 412 DryRunOperationError, without a data key', async () => {
    refused(await api().call('GenerateDataKey', { KeyId: key.KeyId, DryRun: 'true' }), DRY_RUN);
  });
});
