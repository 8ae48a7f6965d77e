// GetParametersForImport through inject(): §4 — KeyId, WrappingKeySpec, WrappingAlgorithm (RSA_2048
// with RSAES_PKCS1_V1_5 | RSAES_OAEP_SHA_1 | RSAES_OAEP_SHA_256, or EC_SM2 with SM2PKE);
// {KeyId, ImportToken, PublicKey (base64 DER SPKI), TokenExpireTime (24 h on), RequestId}. Only
// for EXTERNAL keys, in any state (§3).
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  apiForFile,
  base64Bytes,
  createKey,
  DAY_MS,
  describeKey,
  fieldsOf,
  invalid,
  KEY_NOT_FOUND,
  missing,
  moveTo,
  ok,
  okEmpty,
  refused,
  UNSUPPORTED_ORIGIN,
  wireTime,
  wrapForImport,
} from './helpers.js';

const RSA_OAEP_256 = { WrappingKeySpec: 'RSA_2048', WrappingAlgorithm: 'RSAES_OAEP_SHA_256' };

const api = apiForFile();

describe('GetParametersForImport', () => {
  it('answers {ImportToken, KeyId, PublicKey, RequestId, TokenExpireTime}: an RSA-2048 SPKI public key and a token valid 24 hours, which imports material', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL' });
    const body = ok(await api().call('GetParametersForImport', { KeyId, ...RSA_OAEP_256 }));
    assert.deepEqual(fieldsOf(body), ['ImportToken', 'KeyId', 'PublicKey', 'RequestId', 'TokenExpireTime']);
    assert.equal(body.KeyId, KeyId);
    assert.equal(body.TokenExpireTime, wireTime(api().clock.now() + DAY_MS));
    base64Bytes(body.ImportToken);
    const publicKey = createPublicKey({ key: base64Bytes(body.PublicKey), format: 'der', type: 'spki' });
    assert.equal(publicKey.asymmetricKeyType, 'rsa');
    assert.equal(publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    okEmpty(
      await api().call('ImportKeyMaterial', {
        KeyId,
        ImportToken: body.ImportToken,
        EncryptedKeyMaterial: wrapForImport(body.PublicKey, Buffer.alloc(32, 7)),
        KeyMaterialExpireUnix: 0,
      }),
    );
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'Enabled');
  });

  it('gives a new key pair and a new token on every call', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL' });
    const a = ok(await api().call('GetParametersForImport', { KeyId, WrappingKeySpec: 'RSA_2048', WrappingAlgorithm: 'RSAES_PKCS1_V1_5' }));
    const b = ok(await api().call('GetParametersForImport', { KeyId, WrappingKeySpec: 'RSA_2048', WrappingAlgorithm: 'RSAES_OAEP_SHA_1' }));
    assert.notEqual(a.PublicKey, b.PublicKey);
    assert.notEqual(a.ImportToken, b.ImportToken);
  });

  it('answers an SM2 public key for EC_SM2 with SM2PKE (its SPKI names curve OID 1.2.156.10197.1.301)', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL', KeySpec: 'Aliyun_SM4' });
    const body = ok(await api().call('GetParametersForImport', { KeyId, WrappingKeySpec: 'EC_SM2', WrappingAlgorithm: 'SM2PKE' }));
    assert.ok(base64Bytes(body.PublicKey).includes(Buffer.from('06082a811ccf5501822d', 'hex')));
  });

  it('answers for a PendingDeletion EXTERNAL key too, and when signed with HMAC-SHA1 over GET', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL' });
    await moveTo(api(), KeyId, 'PendingDeletion');
    const body = ok(await api().call('GetParametersForImport', { KeyId, ...RSA_OAEP_256 }, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(fieldsOf(body), ['ImportToken', 'KeyId', 'PublicKey', 'RequestId', 'TokenExpireTime']);
  });

  it('refuses an unknown WrappingKeySpec with InvalidParameter WrappingKeySpec, and an algorithm that does not go with it with InvalidParameter WrappingAlgorithm', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL' });
    refused(
      await api().call('GetParametersForImport', { KeyId, WrappingKeySpec: 'RSA_4096', WrappingAlgorithm: 'RSAES_OAEP_SHA_256' }),
      invalid('WrappingKeySpec'),
    );
    refused(
      await api().call('GetParametersForImport', { KeyId, WrappingKeySpec: 'RSA_2048', WrappingAlgorithm: 'SM2PKE' }),
      invalid('WrappingAlgorithm'),
    );
    refused(
      await api().call('GetParametersForImport', { KeyId, WrappingKeySpec: 'EC_SM2', WrappingAlgorithm: 'RSAES_OAEP_SHA_256' }),
      invalid('WrappingAlgorithm'),
    );
    refused(
      await api().call('GetParametersForImport', { KeyId, WrappingKeySpec: 'RSA_2048', WrappingAlgorithm: 'RSAES_OAEP_SHA_512' }),
      invalid('WrappingAlgorithm'),
    );
  });

  it('refuses a missing KeyId, WrappingKeySpec or WrappingAlgorithm with MissingParameter naming it', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL' });
    refused(await api().call('GetParametersForImport', RSA_OAEP_256), missing('KeyId'));
    refused(await api().call('GetParametersForImport', { KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256' }), missing('WrappingKeySpec'));
    refused(await api().call('GetParametersForImport', { KeyId, WrappingKeySpec: 'RSA_2048' }), missing('WrappingAlgorithm'));
  });

  it('refuses a key whose material Arca made with 400 Unsupported.Origin, and an unknown key with 404 Forbidden.KeyNotFound', async () => {
    const { KeyId } = await createKey(api());
    refused(await api().call('GetParametersForImport', { KeyId, ...RSA_OAEP_256 }), UNSUPPORTED_ORIGIN);
    refused(await api().call('GetParametersForImport', { KeyId: '00000000-0000-4000-8000-000000000000', ...RSA_OAEP_256 }), KEY_NOT_FOUND);
  });
});
