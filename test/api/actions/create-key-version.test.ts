// CreateKeyVersion through inject(): §6.4 — KeyId (alias ok); {"KeyVersion":{CreationDate, KeyId,
// KeyVersionId}, RequestId}. §3: rotation needs an Enabled key and is not allowed for EXTERNAL keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiForFile,
  createKey,
  DAY_MS,
  describeKey,
  encryptUnder,
  externalKeyWithMaterial,
  fieldsOf,
  KEY_NOT_FOUND,
  LOWER_UUID,
  missing,
  moveTo,
  must,
  ok,
  refused,
  REJECTED_DISABLED,
  REJECTED_PENDING_DELETION,
  REJECTED_PENDING_IMPORT,
  UNSUPPORTED_ORIGIN,
  wireTime,
} from './helpers.js';

const api = apiForFile();

describe('CreateKeyVersion', () => {
  it('answers {KeyVersion: {CreationDate, KeyId, KeyVersionId}, RequestId}; the new version is primary and LastRotationDate is its CreationDate', async () => {
    const key = await createKey(api());
    api().clock.advance(DAY_MS);
    const body = ok(await api().call('CreateKeyVersion', { KeyId: key.KeyId }));
    assert.deepEqual(fieldsOf(body), ['KeyVersion', 'RequestId']);
    assert.deepEqual(fieldsOf(body.KeyVersion), ['CreationDate', 'KeyId', 'KeyVersionId']);
    assert.match(body.KeyVersion.KeyVersionId, LOWER_UUID);
    assert.notEqual(body.KeyVersion.KeyVersionId, key.PrimaryKeyVersion);
    assert.deepEqual(body.KeyVersion, {
      CreationDate: wireTime(api().clock.now()),
      KeyId: key.KeyId,
      KeyVersionId: body.KeyVersion.KeyVersionId,
    });
    const described = await describeKey(api(), key.KeyId);
    assert.equal(described.PrimaryKeyVersion, body.KeyVersion.KeyVersionId);
    assert.equal(described.LastRotationDate, body.KeyVersion.CreationDate);
    assert.equal(described.CreationDate, key.CreationDate);
  });

  it('makes Encrypt use the new version while blobs of the old one still decrypt', async () => {
    const key = await createKey(api(), { KeySpec: 'Aliyun_SM4' });
    const old = await encryptUnder(api(), key.KeyId, 'old');
    const version = (await must(api(), 'CreateKeyVersion', { KeyId: key.KeyId })).KeyVersion.KeyVersionId;
    assert.equal((await must(api(), 'Encrypt', { KeyId: key.KeyId, Plaintext: 'new' })).KeyVersionId, version);
    const decrypted = await must(api(), 'Decrypt', { CiphertextBlob: old });
    assert.equal(decrypted.Plaintext, 'old');
    assert.equal(decrypted.KeyVersionId, key.PrimaryKeyVersion);
  });

  it('names the key by alias and answers with the real KeyId', async () => {
    const key = await createKey(api());
    await must(api(), 'CreateAlias', { AliasName: 'alias/rotate-me', KeyId: key.KeyId });
    assert.equal(ok(await api().call('CreateKeyVersion', { KeyId: 'alias/rotate-me' })).KeyVersion.KeyId, key.KeyId);
  });

  it('answers the same shape when signed with HMAC-SHA1 over GET', async () => {
    const key = await createKey(api());
    const body = ok(await api().call('CreateKeyVersion', { KeyId: key.KeyId }, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(fieldsOf(body.KeyVersion), ['CreationDate', 'KeyId', 'KeyVersionId']);
  });

  it('refuses a Disabled, a PendingDeletion and a PendingImport key with the 409 of its state, adding no version', async () => {
    const disabled = await createKey(api());
    await moveTo(api(), disabled.KeyId, 'Disabled');
    refused(await api().call('CreateKeyVersion', { KeyId: disabled.KeyId }), REJECTED_DISABLED);
    assert.equal((await must(api(), 'ListKeyVersions', { KeyId: disabled.KeyId })).TotalCount, 1);
    const pending = await createKey(api());
    await moveTo(api(), pending.KeyId, 'PendingDeletion');
    refused(await api().call('CreateKeyVersion', { KeyId: pending.KeyId }), REJECTED_PENDING_DELETION);
    const external = await createKey(api(), { Origin: 'EXTERNAL' });
    refused(await api().call('CreateKeyVersion', { KeyId: external.KeyId }), REJECTED_PENDING_IMPORT);
  });

  it('refuses an Enabled EXTERNAL key with 400 Unsupported.Origin: Arca cannot make material for it', async () => {
    const { keyId } = await externalKeyWithMaterial(api());
    refused(await api().call('CreateKeyVersion', { KeyId: keyId }), UNSUPPORTED_ORIGIN);
  });

  it('refuses a missing KeyId with MissingParameter and an unknown key with 404 Forbidden.KeyNotFound', async () => {
    refused(await api().call('CreateKeyVersion'), missing('KeyId'));
    refused(await api().call('CreateKeyVersion', { KeyId: '00000000-0000-4000-8000-000000000000' }), KEY_NOT_FOUND);
  });
});
