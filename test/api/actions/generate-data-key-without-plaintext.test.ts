// GenerateDataKeyWithoutPlaintext through inject(): §6.3 — the GenerateDataKey parameters;
// {CiphertextBlob, KeyId, KeyVersionId, RequestId}, no Plaintext.
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
  REJECTED_PENDING_DELETION,
} from './helpers.js';

let key: any;
const api = apiForFile(async (api) => {
  key = (await api.call('CreateKey')).json.KeyMetadata;
  await must(api, 'CreateAlias', { AliasName: 'alias/gdkwp', KeyId: key.KeyId });
});

async function dataKeyLength(blob: string, encryptionContext?: object): Promise<number> {
  const decrypted = await must(api(), 'Decrypt', {
    CiphertextBlob: blob,
    ...(encryptionContext ? { EncryptionContext: encryptionContext } : {}),
  });
  return base64Bytes(decrypted.Plaintext).length;
}

describe('GenerateDataKeyWithoutPlaintext', () => {
  it('answers {CiphertextBlob, KeyId, KeyVersionId, RequestId} and no Plaintext; the blob decrypts to a 32-byte base64 data key', async () => {
    const body = ok(await api().call('GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId }));
    assert.deepEqual(fieldsOf(body), ['CiphertextBlob', 'KeyId', 'KeyVersionId', 'RequestId']);
    assert.equal(body.KeyId, key.KeyId);
    assert.equal(body.KeyVersionId, key.PrimaryKeyVersion);
    assert.equal(base64Bytes(body.CiphertextBlob).length, BLOB_OVERHEAD + 44);
    assert.equal(await dataKeyLength(body.CiphertextBlob), 32);
  });

  it('sizes the data key from KeySpec or NumberOfBytes, and names the key by alias with the real KeyId', async () => {
    const short = ok(await api().call('GenerateDataKeyWithoutPlaintext', { KeyId: 'alias/gdkwp', KeySpec: 'AES_128' }));
    assert.equal(short.KeyId, key.KeyId);
    assert.equal(await dataKeyLength(short.CiphertextBlob), 16);
    const sized = ok(await api().call('GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId, NumberOfBytes: 48 }));
    assert.equal(await dataKeyLength(sized.CiphertextBlob), 48);
  });

  it('binds the data key to its EncryptionContext', async () => {
    const body = ok(await api().call('GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId, EncryptionContext: { purpose: 'backup' } }));
    assert.equal(await dataKeyLength(body.CiphertextBlob, { purpose: 'backup' }), 32);
    refused(await api().call('Decrypt', { CiphertextBlob: body.CiphertextBlob }), INVALID_CIPHERTEXT);
  });

  it('answers the same shape when signed with HMAC-SHA1 over GET', async () => {
    const body = ok(await api().call('GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId }, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(fieldsOf(body), ['CiphertextBlob', 'KeyId', 'KeyVersionId', 'RequestId']);
  });

  it('refuses a missing KeyId, a bad NumberOfBytes or KeySpec, and an unknown key with the documented errors', async () => {
    refused(await api().call('GenerateDataKeyWithoutPlaintext'), missing('KeyId'));
    refused(await api().call('GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId, NumberOfBytes: 1025 }), invalid('NumberOfBytes'));
    refused(await api().call('GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId, KeySpec: 'RSA_2048' }), invalid('KeySpec'));
    refused(await api().call('GenerateDataKeyWithoutPlaintext', { KeyId: '00000000-0000-4000-8000-000000000000' }), KEY_NOT_FOUND);
  });

  it('refuses a Disabled key with 409 Rejected.Disabled and a PendingDeletion key with 409 Rejected.PendingDeletion', async () => {
    const disabled = await createKey(api());
    await moveTo(api(), disabled.KeyId, 'Disabled');
    refused(await api().call('GenerateDataKeyWithoutPlaintext', { KeyId: disabled.KeyId }), REJECTED_DISABLED);
    const pending = await createKey(api());
    await moveTo(api(), pending.KeyId, 'PendingDeletion');
    refused(await api().call('GenerateDataKeyWithoutPlaintext', { KeyId: pending.KeyId }), REJECTED_PENDING_DELETION);
  });

  it('answers DryRun=true with 412 DryRunOperationError', async () => {
    refused(await api().call('GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId, DryRun: 'true' }), DRY_RUN);
  });
});
