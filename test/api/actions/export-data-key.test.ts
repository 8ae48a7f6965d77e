// ExportDataKey through inject(): §6.3 — CiphertextBlob (of a data key), PublicKeyBlob (base64 DER
// SPKI), WrappingKeySpec (RSA_2048 | EC_SM2), WrappingAlgorithm (RSAES_OAEP_SHA_256 |
// RSAES_OAEP_SHA_1 | SM2PKE), EncryptionContext, DryRun; {ExportedDataKey, KeyId, KeyVersionId, RequestId}.
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
  encryptUnder,
  fieldsOf,
  flipBit,
  invalid,
  INVALID_CIPHERTEXT,
  missing,
  moveTo,
  must,
  ok,
  refused,
  REJECTED_DISABLED,
  without,
} from './helpers.js';

let key: any;
let dataKey: { CiphertextBlob: string; Plaintext: string };
let boundDataKey: { CiphertextBlob: string; Plaintext: string };
let recipient: { privateKey: KeyObject; publicKeyBlob: string };

const api = apiForFile(async (api) => {
  key = (await api.call('CreateKey')).json.KeyMetadata;
  dataKey = (await api.call('GenerateDataKey', { KeyId: key.KeyId })).json;
  boundDataKey = (await api.call('GenerateDataKey', { KeyId: key.KeyId, NumberOfBytes: 16, EncryptionContext: { file: 'x' } })).json;
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

describe('ExportDataKey', () => {
  it('answers {ExportedDataKey, KeyId, KeyVersionId, RequestId}: the data key wrapped for the public key, with the key and version of the blob', async () => {
    const body = ok(await api().call('ExportDataKey', { CiphertextBlob: dataKey.CiphertextBlob, ...target() }));
    assert.deepEqual(fieldsOf(body), ['ExportedDataKey', 'KeyId', 'KeyVersionId', 'RequestId']);
    assert.equal(body.KeyId, key.KeyId);
    assert.equal(body.KeyVersionId, key.PrimaryKeyVersion);
    assert.deepEqual(unwrap(body.ExportedDataKey), Buffer.from(dataKey.Plaintext, 'base64'));
  });

  it('wraps with RSAES_OAEP_SHA_1 and checks the EncryptionContext of the blob', async () => {
    const body = ok(
      await api().call('ExportDataKey', {
        CiphertextBlob: boundDataKey.CiphertextBlob,
        EncryptionContext: { file: 'x' },
        ...target('RSAES_OAEP_SHA_1'),
      }),
    );
    assert.deepEqual(unwrap(body.ExportedDataKey, 'sha1'), Buffer.from(boundDataKey.Plaintext, 'base64'));
  });

  it('answers the same shape when signed with HMAC-SHA1 over GET', async () => {
    const body = ok(await api().call('ExportDataKey', { CiphertextBlob: dataKey.CiphertextBlob, ...target() }, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(unwrap(body.ExportedDataKey), Buffer.from(dataKey.Plaintext, 'base64'));
  });

  it('refuses a tampered blob, a wrong or missing EncryptionContext, and a blob holding no base64 data key with the opaque InvalidParameter CiphertextBlob', async () => {
    refused(await api().call('ExportDataKey', { CiphertextBlob: flipBit(dataKey.CiphertextBlob, -1), ...target() }), INVALID_CIPHERTEXT);
    refused(
      await api().call('ExportDataKey', { CiphertextBlob: boundDataKey.CiphertextBlob, EncryptionContext: { file: 'y' }, ...target() }),
      INVALID_CIPHERTEXT,
    );
    refused(await api().call('ExportDataKey', { CiphertextBlob: boundDataKey.CiphertextBlob, ...target() }), INVALID_CIPHERTEXT);
    const text = await encryptUnder(api(), key.KeyId, 'not a data key!');
    refused(await api().call('ExportDataKey', { CiphertextBlob: text, ...target() }), INVALID_CIPHERTEXT);
  });

  it('refuses RSAES_PKCS1_V1_5 and mismatched algorithms with InvalidParameter WrappingAlgorithm, and an unknown spec with InvalidParameter WrappingKeySpec', async () => {
    refused(
      await api().call('ExportDataKey', { CiphertextBlob: dataKey.CiphertextBlob, ...target('RSAES_PKCS1_V1_5') }),
      invalid('WrappingAlgorithm'),
    );
    refused(
      await api().call('ExportDataKey', { CiphertextBlob: dataKey.CiphertextBlob, ...target('SM2PKE') }),
      invalid('WrappingAlgorithm'),
    );
    refused(
      await api().call('ExportDataKey', { CiphertextBlob: dataKey.CiphertextBlob, ...target(), WrappingKeySpec: 'RSA_3072' }),
      invalid('WrappingKeySpec'),
    );
  });

  it('refuses a PublicKeyBlob that is not base64 of an RSA-2048 public key with InvalidParameter PublicKeyBlob', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    for (const blob of ['not base64!', Buffer.from('garbage bytes').toString('base64'), small]) {
      refused(
        await api().call('ExportDataKey', { CiphertextBlob: dataKey.CiphertextBlob, ...target(), PublicKeyBlob: blob }),
        invalid('PublicKeyBlob'),
      );
    }
  });

  it('refuses an RSA or SM2 public key no data key may be wrapped for with 400 InvalidParameter PublicKeyBlob (even modulus and e = n were 500s, e = 1 answered the key in the clear)', async () => {
    for (const { label, spki } of unsafeRsaPublicKeys()) {
      const response = await api().call('ExportDataKey', {
        CiphertextBlob: dataKey.CiphertextBlob,
        ...target(),
        PublicKeyBlob: spki.toString('base64'),
      });
      assert.equal(response.statusCode, 400, label);
      refused(response, invalid('PublicKeyBlob'));
    }
    for (const { label, spki } of unsafeSm2PublicKeys(generateSm2KeyPair().publicKeySpki)) {
      const response = await api().call('ExportDataKey', {
        CiphertextBlob: dataKey.CiphertextBlob,
        ...SM2_TARGET,
        PublicKeyBlob: spki.toString('base64'),
      });
      assert.equal(response.statusCode, 400, label);
      refused(response, invalid('PublicKeyBlob'));
    }
  });

  it('refuses each missing required parameter with MissingParameter naming it', async () => {
    const all = { CiphertextBlob: dataKey.CiphertextBlob, ...target() };
    for (const name of ['CiphertextBlob', 'PublicKeyBlob', 'WrappingKeySpec', 'WrappingAlgorithm'] as const) {
      refused(await api().call('ExportDataKey', without(all, name)), missing(name));
    }
  });

  it('refuses a blob of a Disabled key with 409 Rejected.Disabled', async () => {
    const disabled = await createKey(api());
    const blob = (await must(api(), 'GenerateDataKeyWithoutPlaintext', { KeyId: disabled.KeyId })).CiphertextBlob;
    await moveTo(api(), disabled.KeyId, 'Disabled');
    refused(await api().call('ExportDataKey', { CiphertextBlob: blob, ...target() }), REJECTED_DISABLED);
  });

  it('answers DryRun=true with 412 DryRunOperationError', async () => {
    refused(await api().call('ExportDataKey', { CiphertextBlob: dataKey.CiphertextBlob, ...target(), DryRun: 'true' }), DRY_RUN);
  });
});
