// GenerateAndExportDataKey through inject(): §6.3 — KeyId, KeySpec, NumberOfBytes, PublicKeyBlob,
// WrappingKeySpec, WrappingAlgorithm, EncryptionContext, DryRun; {CiphertextBlob, ExportedDataKey,
// KeyId, KeyVersionId, RequestId}, never the data key itself.
import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, privateDecrypt, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateSm2KeyPair } from '../../../src/crypto/sm2.js';
import { unsafeRsaPublicKeys, unsafeSm2PublicKeys } from '../../support/unsafe-public-keys.js';
import {
  apiForFile,
  base64Bytes,
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
  without,
} from './helpers.js';

let key: any;
let recipient: { privateKey: KeyObject; publicKeyBlob: string };

const api = apiForFile(async (api) => {
  key = (await api.call('CreateKey', { KeySpec: 'Aliyun_SM4' })).json.KeyMetadata;
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  recipient = { privateKey: pair.privateKey, publicKeyBlob: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
});

const target = (algorithm = 'RSAES_OAEP_SHA_256') => ({
  PublicKeyBlob: recipient.publicKeyBlob,
  WrappingKeySpec: 'RSA_2048',
  WrappingAlgorithm: algorithm,
});
const SM2_TARGET = { WrappingKeySpec: 'EC_SM2', WrappingAlgorithm: 'SM2PKE' };
const unwrap = (exported: string, hash: 'sha1' | 'sha256' = 'sha256') =>
  privateDecrypt({ key: recipient.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, base64Bytes(exported));

describe('GenerateAndExportDataKey', () => {
  it('answers {CiphertextBlob, ExportedDataKey, KeyId, KeyVersionId, RequestId}: the exported key is the one the blob decrypts to', async () => {
    const body = ok(await api().call('GenerateAndExportDataKey', { KeyId: key.KeyId, ...target() }));
    assert.deepEqual(fieldsOf(body), ['CiphertextBlob', 'ExportedDataKey', 'KeyId', 'KeyVersionId', 'RequestId']);
    assert.equal(body.KeyId, key.KeyId);
    assert.equal(body.KeyVersionId, key.PrimaryKeyVersion);
    const exported = unwrap(body.ExportedDataKey);
    assert.equal(exported.length, 32);
    const decrypted = await must(api(), 'Decrypt', { CiphertextBlob: body.CiphertextBlob });
    assert.deepEqual(Buffer.from(decrypted.Plaintext, 'base64'), exported);
  });

  it('sizes the data key from NumberOfBytes or KeySpec and binds the blob to its EncryptionContext', async () => {
    const body = ok(
      await api().call('GenerateAndExportDataKey', {
        KeyId: key.KeyId,
        NumberOfBytes: 48,
        EncryptionContext: { to: 'hsm' },
        ...target('RSAES_OAEP_SHA_1'),
      }),
    );
    assert.equal(unwrap(body.ExportedDataKey, 'sha1').length, 48);
    refused(await api().call('Decrypt', { CiphertextBlob: body.CiphertextBlob }), INVALID_CIPHERTEXT);
    assert.equal(
      base64Bytes((await must(api(), 'Decrypt', { CiphertextBlob: body.CiphertextBlob, EncryptionContext: { to: 'hsm' } })).Plaintext)
        .length,
      48,
    );
    const short = ok(await api().call('GenerateAndExportDataKey', { KeyId: key.KeyId, KeySpec: 'AES_128', ...target() }));
    assert.equal(unwrap(short.ExportedDataKey).length, 16);
  });

  it('accepts the longest data key OAEP carries (190 bytes with SHA-256, 214 with SHA-1) and refuses one byte more with InvalidParameter NumberOfBytes', async () => {
    assert.equal(
      unwrap(ok(await api().call('GenerateAndExportDataKey', { KeyId: key.KeyId, NumberOfBytes: 190, ...target() })).ExportedDataKey)
        .length,
      190,
    );
    refused(await api().call('GenerateAndExportDataKey', { KeyId: key.KeyId, NumberOfBytes: 191, ...target() }), invalid('NumberOfBytes'));
    assert.equal(
      unwrap(
        ok(await api().call('GenerateAndExportDataKey', { KeyId: key.KeyId, NumberOfBytes: 214, ...target('RSAES_OAEP_SHA_1') }))
          .ExportedDataKey,
        'sha1',
      ).length,
      214,
    );
    refused(
      await api().call('GenerateAndExportDataKey', { KeyId: key.KeyId, NumberOfBytes: 215, ...target('RSAES_OAEP_SHA_1') }),
      invalid('NumberOfBytes'),
    );
  });

  it('answers the same shape when signed with HMAC-SHA1 over GET', async () => {
    const body = ok(await api().call('GenerateAndExportDataKey', { KeyId: key.KeyId, ...target() }, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(fieldsOf(body), ['CiphertextBlob', 'ExportedDataKey', 'KeyId', 'KeyVersionId', 'RequestId']);
  });

  it('refuses an RSA or SM2 public key no data key may be wrapped for with 400 InvalidParameter PublicKeyBlob (even modulus and e = n were 500s, e = 1 answered the key in the clear)', async () => {
    for (const { label, spki } of unsafeRsaPublicKeys()) {
      const response = await api().call('GenerateAndExportDataKey', {
        KeyId: key.KeyId,
        ...target(),
        PublicKeyBlob: spki.toString('base64'),
      });
      assert.equal(response.statusCode, 400, label);
      refused(response, invalid('PublicKeyBlob'));
    }
    for (const { label, spki } of unsafeSm2PublicKeys(generateSm2KeyPair().publicKeySpki)) {
      const response = await api().call('GenerateAndExportDataKey', {
        KeyId: key.KeyId,
        ...SM2_TARGET,
        PublicKeyBlob: spki.toString('base64'),
      });
      assert.equal(response.statusCode, 400, label);
      refused(response, invalid('PublicKeyBlob'));
    }
  });

  it('refuses each missing required parameter with MissingParameter naming it', async () => {
    const all = { KeyId: key.KeyId as string, ...target() };
    for (const name of ['KeyId', 'PublicKeyBlob', 'WrappingKeySpec', 'WrappingAlgorithm'] as const) {
      refused(await api().call('GenerateAndExportDataKey', without(all, name)), missing(name));
    }
  });

  it('refuses a bad PublicKeyBlob, WrappingAlgorithm or WrappingKeySpec with InvalidParameter naming it', async () => {
    refused(
      await api().call('GenerateAndExportDataKey', { KeyId: key.KeyId, ...target(), PublicKeyBlob: 'AAAA' }),
      invalid('PublicKeyBlob'),
    );
    refused(
      await api().call('GenerateAndExportDataKey', { KeyId: key.KeyId, ...target('RSAES_PKCS1_V1_5') }),
      invalid('WrappingAlgorithm'),
    );
    refused(
      await api().call('GenerateAndExportDataKey', { KeyId: key.KeyId, ...target(), WrappingKeySpec: 'EC_P256' }),
      invalid('WrappingKeySpec'),
    );
  });

  it('refuses an unknown key with 404, a Disabled key with 409 Rejected.Disabled and a PendingImport key with 409 Rejected.PendingImport', async () => {
    refused(await api().call('GenerateAndExportDataKey', { KeyId: '00000000-0000-4000-8000-000000000000', ...target() }), KEY_NOT_FOUND);
    const disabled = await createKey(api());
    await moveTo(api(), disabled.KeyId, 'Disabled');
    refused(await api().call('GenerateAndExportDataKey', { KeyId: disabled.KeyId, ...target() }), REJECTED_DISABLED);
    const external = await createKey(api(), { Origin: 'EXTERNAL' });
    refused(await api().call('GenerateAndExportDataKey', { KeyId: external.KeyId, ...target() }), REJECTED_PENDING_IMPORT);
  });

  it('answers DryRun=true with 412 DryRunOperationError', async () => {
    refused(await api().call('GenerateAndExportDataKey', { KeyId: key.KeyId, ...target(), DryRun: 'true' }), DRY_RUN);
  });
});
