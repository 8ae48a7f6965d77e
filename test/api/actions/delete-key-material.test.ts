// DeleteKeyMaterial through inject(): §4, §6.5 — KeyId; {RequestId}. The key goes to PendingImport
// (unless PendingDeletion, which keeps its state and DeleteDate); importing the same material again
// brings its old ciphertexts back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiForFile,
  createKey,
  describeKey,
  encryptUnder,
  externalKeyWithMaterial,
  importMaterial,
  KEY_NOT_FOUND,
  missing,
  moveTo,
  must,
  okEmpty,
  refused,
  REJECTED_PENDING_IMPORT,
  UNSUPPORTED_ORIGIN,
} from './helpers.js';

const api = apiForFile();

describe('DeleteKeyMaterial', () => {
  it('answers only {RequestId}; the key is PendingImport with no MaterialExpireTime and refuses Encrypt and Decrypt with 409 Rejected.PendingImport', async () => {
    const { keyId } = await externalKeyWithMaterial(api());
    const blob = await encryptUnder(api(), keyId, 'sealed before deletion');
    okEmpty(await api().call('DeleteKeyMaterial', { KeyId: keyId }));
    const metadata = await describeKey(api(), keyId);
    assert.equal(metadata.KeyState, 'PendingImport');
    assert.equal(metadata.MaterialExpireTime, '');
    refused(await api().call('Encrypt', { KeyId: keyId, Plaintext: 'x' }), REJECTED_PENDING_IMPORT);
    refused(await api().call('Decrypt', { CiphertextBlob: blob }), REJECTED_PENDING_IMPORT);
  });

  it('lets the same material be imported again, after which the old ciphertexts decrypt', async () => {
    const { keyId, material } = await externalKeyWithMaterial(api());
    const blob = await encryptUnder(api(), keyId, 'comes back');
    okEmpty(await api().call('DeleteKeyMaterial', { KeyId: keyId }));
    await importMaterial(api(), keyId, material);
    assert.equal((await must(api(), 'Decrypt', { CiphertextBlob: blob })).Plaintext, 'comes back');
  });

  it('leaves a PendingDeletion key PendingDeletion, with its DeleteDate', async () => {
    const { keyId } = await externalKeyWithMaterial(api());
    await moveTo(api(), keyId, 'PendingDeletion');
    const before = await describeKey(api(), keyId);
    okEmpty(await api().call('DeleteKeyMaterial', { KeyId: keyId }));
    const after = await describeKey(api(), keyId);
    assert.equal(after.KeyState, 'PendingDeletion');
    assert.equal(after.DeleteDate, before.DeleteDate);
  });

  it('accepts an EXTERNAL key that has no material yet, when signed with HMAC-SHA1 over GET', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL' });
    okEmpty(await api().call('DeleteKeyMaterial', { KeyId }, { signature: 'HMAC-SHA1' }));
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'PendingImport');
  });

  it('refuses a key whose material Arca made with 400 Unsupported.Origin, leaving it Enabled', async () => {
    const { KeyId } = await createKey(api());
    refused(await api().call('DeleteKeyMaterial', { KeyId }), UNSUPPORTED_ORIGIN);
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'Enabled');
  });

  it('refuses a missing KeyId with MissingParameter and an unknown key with 404 Forbidden.KeyNotFound', async () => {
    refused(await api().call('DeleteKeyMaterial'), missing('KeyId'));
    refused(await api().call('DeleteKeyMaterial', { KeyId: '00000000-0000-4000-8000-000000000000' }), KEY_NOT_FOUND);
  });
});
