// ADR 26 through inject(): a caller allowed kms:ExportDataKey but not kms:Decrypt exports data
// keys, but cannot open an Encrypt ciphertext through ExportDataKey (even one whose plaintext is
// base64, which used to export); Decrypt opens both kinds, ReEncrypt keeps the kind, and a blob
// sealed before data keys had their kind exports only for a caller who may also Decrypt it.
import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, privateDecrypt, randomBytes, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BlobKind, blobAdditionalData, EMPTY_CONTEXT } from '../../src/domain/encryption-context.js';
import { InMemoryPolicySource } from '../../src/policy/policy-source.js';
import { createInjectApi, INJECT_ACCOUNT_ID, type Credentials, type InjectApi } from '../support/inject-api.js';

const EXPORTER_ARN = `acs:ram::${INJECT_ACCOUNT_ID}:user/exporter`;
const EXPORTER: Credentials = { accessKeyId: 'LTAIinjectExportOnlyUser1', accessKeySecret: 'injectSecretOfTheExportingUser' };
const DECRYPTER_ARN = `acs:ram::${INJECT_ACCOUNT_ID}:user/decrypter`;
const DECRYPTER: Credentials = { accessKeyId: 'LTAIinjectExportAndDecrypt', accessKeySecret: 'injectSecretOfExportAndDecrypt' };

let api: InjectApi;
let keyId = '';
let recipient: { privateKey: KeyObject; publicKeyBlob: string };

const allow = (policyName: string, actions: readonly string[]) => ({
  policyType: 'Custom' as const,
  policyName,
  versionId: 'v1',
  document: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
});

before(async () => {
  const policies = new InMemoryPolicySource();
  policies.attachToUser(EXPORTER_ARN, allow('export-only', ['kms:ExportDataKey', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']));
  policies.attachToUser(DECRYPTER_ARN, allow('export-and-decrypt', ['kms:ExportDataKey', 'kms:Decrypt']));
  api = await createInjectApi({ policies });
  await api.addAccessKey(EXPORTER, EXPORTER_ARN);
  await api.addAccessKey(DECRYPTER, DECRYPTER_ARN);
  keyId = (await api.call('CreateKey')).json.KeyMetadata.KeyId;
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  recipient = { privateKey: pair.privateKey, publicKeyBlob: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
});

after(() => api.close());

const exportAs = (accessKey: Credentials, blob: string) =>
  api.call(
    'ExportDataKey',
    { CiphertextBlob: blob, PublicKeyBlob: recipient.publicKeyBlob, WrappingKeySpec: 'RSA_2048', WrappingAlgorithm: 'RSAES_OAEP_SHA_256' },
    { accessKey },
  );
const unwrap = (exported: string) =>
  privateDecrypt(
    { key: recipient.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    Buffer.from(exported, 'base64'),
  );

function assertInvalidCiphertext(response: { statusCode: number; json: any; text: string }): void {
  assert.equal(response.statusCode, 400, response.text);
  assert.equal(response.json.Code, 'InvalidParameter');
  assert.equal(response.json.Message, 'The specified parameter "CiphertextBlob" is not valid.');
}

describe('ExportDataKey without kms:Decrypt', () => {
  it('exports a data key GenerateDataKey made', async () => {
    const generated = await api.call('GenerateDataKey', { KeyId: keyId }, { accessKey: EXPORTER });
    assert.equal(generated.statusCode, 200, generated.text);
    const exported = await exportAs(EXPORTER, generated.json.CiphertextBlob);
    assert.equal(exported.statusCode, 200, exported.text);
    assert.equal(unwrap(exported.json.ExportedDataKey).toString('base64'), generated.json.Plaintext);
  });

  it('cannot open an Encrypt ciphertext, even one whose plaintext is a base64 key', async () => {
    const secret = randomBytes(32).toString('base64');
    const blob = (await api.call('Encrypt', { KeyId: keyId, Plaintext: secret })).json.CiphertextBlob;
    assertInvalidCiphertext(await exportAs(EXPORTER, blob));
    assert.equal((await api.call('Decrypt', { CiphertextBlob: blob }, { accessKey: EXPORTER })).json.Code, 'Forbidden.RAM');
  });

  it('cannot turn an Encrypt ciphertext into a data key through ReEncrypt: the kind is kept', async () => {
    const blob = (await api.call('Encrypt', { KeyId: keyId, Plaintext: randomBytes(16).toString('base64') })).json.CiphertextBlob;
    const moved = await api.call('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: keyId }, { accessKey: EXPORTER });
    assert.equal(moved.statusCode, 200, moved.text);
    assertInvalidCiphertext(await exportAs(EXPORTER, moved.json.CiphertextBlob));
  });

  it('still exports a data key after ReEncrypt', async () => {
    const generated = (await api.call('GenerateDataKeyWithoutPlaintext', { KeyId: keyId }, { accessKey: EXPORTER })).json;
    const moved = await api.call(
      'ReEncrypt',
      { CiphertextBlob: generated.CiphertextBlob, DestinationKeyId: keyId },
      { accessKey: EXPORTER },
    );
    assert.equal(moved.statusCode, 200, moved.text);
    assert.equal((await exportAs(EXPORTER, moved.json.CiphertextBlob)).statusCode, 200);
  });
});

describe('Decrypt opens both kinds', () => {
  it('returns the base64 data key of a data-key blob and the plaintext of an Encrypt blob', async () => {
    const generated = (await api.call('GenerateDataKey', { KeyId: keyId, EncryptionContext: { f: '1' } })).json;
    const opened = await api.call('Decrypt', { CiphertextBlob: generated.CiphertextBlob, EncryptionContext: { f: '1' } });
    assert.equal(opened.json.Plaintext, generated.Plaintext);
    const wrongContext = await api.call('Decrypt', { CiphertextBlob: generated.CiphertextBlob, EncryptionContext: { f: '2' } });
    assertInvalidCiphertext(wrongContext);
    const blob = (await api.call('Encrypt', { KeyId: keyId, Plaintext: 'plain text' })).json.CiphertextBlob;
    assert.equal((await api.call('Decrypt', { CiphertextBlob: blob })).json.Plaintext, 'plain text');
  });
});

describe('an ordinary blob (Encrypt, or a data key sealed before ADR 26)', () => {
  it('exports for a caller who may also Decrypt it, and for the administrator', async () => {
    const dataKey = randomBytes(32).toString('base64');
    // What GenerateDataKey sealed before data keys had their own kind: the base64 text, as Encrypt seals it.
    const legacy = (await api.call('Encrypt', { KeyId: keyId, Plaintext: dataKey })).json.CiphertextBlob;
    const byDecrypter = await exportAs(DECRYPTER, legacy);
    assert.equal(byDecrypter.statusCode, 200, byDecrypter.text);
    assert.equal(unwrap(byDecrypter.json.ExportedDataKey).toString('base64'), dataKey);
    const byAdministrator = await api.call('ExportDataKey', {
      CiphertextBlob: legacy,
      PublicKeyBlob: recipient.publicKeyBlob,
      WrappingKeySpec: 'RSA_2048',
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
    });
    assert.equal(byAdministrator.statusCode, 200, byAdministrator.text);
  });
});

describe('the additional data of the two kinds', () => {
  it('differs only by the data-key suffix after the canonical context', () => {
    const versionId = '86a9efd9-3d16-4894-bd4f-1fc43f3f2abf';
    const ordinary = blobAdditionalData(versionId, EMPTY_CONTEXT);
    const dataKey = blobAdditionalData(versionId, EMPTY_CONTEXT, BlobKind.DataKey);
    assert.deepEqual(dataKey.subarray(0, ordinary.length), ordinary);
    assert.equal(dataKey.subarray(ordinary.length).toString('ascii'), 'arca:data-key:1');
    assert.deepEqual(
      blobAdditionalData(versionId, EMPTY_CONTEXT, BlobKind.Ordinary),
      ordinary,
      'ordinary blobs keep the additional data they always had',
    );
  });
});
