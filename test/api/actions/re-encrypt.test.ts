// ReEncrypt through inject(): §6.3 — CiphertextBlob, DestinationKeyId (required),
// SourceEncryptionContext, DestinationEncryptionContext, DryRun; the asymmetric source parameters
// are refused; {CiphertextBlob, KeyId, KeyVersionId, RequestId} naming the destination.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiForFile,
  base64Bytes,
  createKey,
  DRY_RUN,
  encryptUnder,
  fieldsOf,
  flipBit,
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

let source: any;
let destination: any;
let blob = '';
const api = apiForFile(async (api) => {
  source = (await api.call('CreateKey')).json.KeyMetadata;
  destination = (await api.call('CreateKey', { KeySpec: 'Aliyun_SM4' })).json.KeyMetadata;
  blob = await encryptUnder(api, source.KeyId, 'moving day', { from: 'source' });
});

describe('ReEncrypt', () => {
  it('answers {CiphertextBlob, KeyId, KeyVersionId, RequestId} naming the destination; the new blob decrypts under the destination context only', async () => {
    const body = ok(
      await api().call('ReEncrypt', {
        CiphertextBlob: blob,
        SourceEncryptionContext: { from: 'source' },
        DestinationKeyId: destination.KeyId,
        DestinationEncryptionContext: { to: 'destination' },
      }),
    );
    assert.deepEqual(fieldsOf(body), ['CiphertextBlob', 'KeyId', 'KeyVersionId', 'RequestId']);
    assert.equal(body.KeyId, destination.KeyId);
    assert.equal(body.KeyVersionId, destination.PrimaryKeyVersion);
    assert.equal(base64Bytes(body.CiphertextBlob).toString('latin1', 0, 36), destination.PrimaryKeyVersion);
    const decrypted = await must(api(), 'Decrypt', { CiphertextBlob: body.CiphertextBlob, EncryptionContext: { to: 'destination' } });
    assert.equal(decrypted.Plaintext, 'moving day');
    assert.equal(decrypted.KeyId, destination.KeyId);
    refused(
      await api().call('Decrypt', { CiphertextBlob: body.CiphertextBlob, EncryptionContext: { from: 'source' } }),
      INVALID_CIPHERTEXT,
    );
  });

  it('re-encrypts under the same key, to its newest version after a rotation, with the destination named by alias', async () => {
    const { KeyId } = await createKey(api());
    const old = await encryptUnder(api(), KeyId, 'rotate me');
    const rotated = (await must(api(), 'CreateKeyVersion', { KeyId })).KeyVersion.KeyVersionId;
    await must(api(), 'CreateAlias', { AliasName: 'alias/reencrypt-self', KeyId });
    const body = ok(await api().call('ReEncrypt', { CiphertextBlob: old, DestinationKeyId: 'alias/reencrypt-self' }));
    assert.equal(body.KeyId, KeyId);
    assert.equal(body.KeyVersionId, rotated);
    assert.equal((await must(api(), 'Decrypt', { CiphertextBlob: body.CiphertextBlob })).Plaintext, 'rotate me');
  });

  it('answers the same shape when signed with HMAC-SHA1 over GET', async () => {
    const body = ok(
      await api().call(
        'ReEncrypt',
        { CiphertextBlob: blob, SourceEncryptionContext: { from: 'source' }, DestinationKeyId: destination.KeyId },
        { signature: 'HMAC-SHA1' },
      ),
    );
    assert.deepEqual(fieldsOf(body), ['CiphertextBlob', 'KeyId', 'KeyVersionId', 'RequestId']);
    assert.equal(body.KeyId, destination.KeyId);
  });

  it('refuses a tampered blob and a wrong SourceEncryptionContext with the opaque InvalidParameter CiphertextBlob', async () => {
    refused(
      await api().call('ReEncrypt', {
        CiphertextBlob: flipBit(blob, -1),
        SourceEncryptionContext: { from: 'source' },
        DestinationKeyId: destination.KeyId,
      }),
      INVALID_CIPHERTEXT,
    );
    refused(
      await api().call('ReEncrypt', {
        CiphertextBlob: blob,
        SourceEncryptionContext: { from: 'elsewhere' },
        DestinationKeyId: destination.KeyId,
      }),
      INVALID_CIPHERTEXT,
    );
    refused(await api().call('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: destination.KeyId }), INVALID_CIPHERTEXT);
  });

  it('refuses a missing CiphertextBlob or DestinationKeyId with MissingParameter naming it', async () => {
    refused(await api().call('ReEncrypt', { DestinationKeyId: destination.KeyId }), missing('CiphertextBlob'));
    refused(
      await api().call('ReEncrypt', { CiphertextBlob: blob, SourceEncryptionContext: { from: 'source' } }),
      missing('DestinationKeyId'),
    );
  });

  it('refuses the asymmetric source parameters with InvalidParameter naming each', async () => {
    for (const name of ['SourceKeyId', 'SourceKeyVersionId', 'SourceEncryptionAlgorithm']) {
      refused(await api().call('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: destination.KeyId, [name]: 'x' }), invalid(name));
    }
  });

  it('refuses an unknown destination with 404 Forbidden.KeyNotFound', async () => {
    refused(
      await api().call('ReEncrypt', {
        CiphertextBlob: blob,
        SourceEncryptionContext: { from: 'source' },
        DestinationKeyId: '00000000-0000-4000-8000-000000000000',
      }),
      KEY_NOT_FOUND,
    );
  });

  it('refuses a Disabled source key with 409 Rejected.Disabled and a PendingDeletion destination with 409 Rejected.PendingDeletion', async () => {
    const disabled = await createKey(api());
    const sealed = await encryptUnder(api(), disabled.KeyId, 'x');
    await moveTo(api(), disabled.KeyId, 'Disabled');
    refused(await api().call('ReEncrypt', { CiphertextBlob: sealed, DestinationKeyId: destination.KeyId }), REJECTED_DISABLED);
    const pending = await createKey(api());
    await moveTo(api(), pending.KeyId, 'PendingDeletion');
    refused(
      await api().call('ReEncrypt', { CiphertextBlob: blob, SourceEncryptionContext: { from: 'source' }, DestinationKeyId: pending.KeyId }),
      REJECTED_PENDING_DELETION,
    );
  });

  it('answers DryRun=true with 412 DryRunOperationError', async () => {
    refused(
      await api().call('ReEncrypt', {
        CiphertextBlob: blob,
        SourceEncryptionContext: { from: 'source' },
        DestinationKeyId: destination.KeyId,
        DryRun: 'true',
      }),
      DRY_RUN,
    );
  });
});
