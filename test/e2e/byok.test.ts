// Bring your own key end to end: a real server over HTTP, the official SDK clients
// (@alicloud/kms20160120 1.2.0 and the 3.x transport @alicloud/openapi-core), material wrapped the
// way a client would wrap it (Node's publicEncrypt; the openssl command line for SM2), and a real
// SQLite data directory searched for the material afterwards.
import assert from 'node:assert/strict';
import { constants, createPublicKey, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { RootKey } from '../../src/protection/root-key.js';
import { sealImportToken } from '../../src/operations/import-token.js';
import { WrappingAlgorithm, WrappingKeySpec } from '../../src/domain/wrapping.js';
import { KmsModels, v1Client, v3Caller } from '../support/clients.js';
import { opensslSm2Decrypt, opensslSm2Encrypt, opensslSm2KeyPair } from '../support/openssl-sm2.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { assertOnlyRequestId, base64Bytes, DAY_MS, expectV1Error, expectV3Error, wireDateMs } from './support-sdk-assertions.js';

const M: any = KmsModels;

type Algorithm = 'RSAES_PKCS1_V1_5' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'SM2PKE';
const SPEC_OF: Record<Algorithm, string> = {
  RSAES_PKCS1_V1_5: 'RSA_2048',
  RSAES_OAEP_SHA_1: 'RSA_2048',
  RSAES_OAEP_SHA_256: 'RSA_2048',
  SM2PKE: 'EC_SM2',
};
const ALGORITHMS = Object.keys(SPEC_OF) as Algorithm[];

/** What a client does with the PublicKey it got: Node's crypto for RSA, the openssl CLI for SM2. */
function wrapLikeAClient(publicKeyBase64: string, algorithm: Algorithm, material: Buffer): string {
  const spki = base64Bytes(publicKeyBase64);
  if (algorithm === 'SM2PKE') return opensslSm2Encrypt(spki, material).toString('base64');
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const options =
    algorithm === 'RSAES_PKCS1_V1_5'
      ? { key, padding: constants.RSA_PKCS1_PADDING }
      : { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256' };
  return publicEncrypt(options, material).toString('base64');
}

let server: TestServer;
let v3: (action: string, query: Record<string, unknown>) => Promise<any>;
let v1: any;
/** Every material imported in this file, for the search of the data directory. */
const imported: Buffer[] = [];

before(async () => {
  server = await startTestServer();
  v3 = v3Caller(server);
  v1 = v1Client(server);
});

after(async () => {
  await server?.close();
});

async function createExternalKey(keySpec = 'Aliyun_AES_256'): Promise<string> {
  const body = await v3('CreateKey', { Origin: 'EXTERNAL', KeySpec: keySpec });
  return body.KeyMetadata.KeyId;
}

async function describe3(keyId: string): Promise<any> {
  return (await v3('DescribeKey', { KeyId: keyId })).KeyMetadata;
}

async function parameters(
  keyId: string,
  algorithm: Algorithm,
): Promise<{ ImportToken: string; PublicKey: string; TokenExpireTime: string }> {
  return v3('GetParametersForImport', { KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: SPEC_OF[algorithm] });
}

async function importMaterial(keyId: string, material: Buffer, algorithm: Algorithm = 'RSAES_OAEP_SHA_256', expireUnix = 0): Promise<any> {
  const { ImportToken, PublicKey } = await parameters(keyId, algorithm);
  imported.push(material);
  return v3('ImportKeyMaterial', {
    KeyId: keyId,
    ImportToken,
    EncryptedKeyMaterial: wrapLikeAClient(PublicKey, algorithm, material),
    KeyMaterialExpireUnix: expireUnix,
  });
}

async function encrypt(keyId: string, plaintext = 'byok plaintext'): Promise<string> {
  return (await v3('Encrypt', { KeyId: keyId, Plaintext: plaintext })).CiphertextBlob;
}

async function decrypt(blob: string): Promise<string> {
  return (await v3('Decrypt', { CiphertextBlob: blob })).Plaintext;
}

describe('EXTERNAL keys', () => {
  it('CreateKey with Origin=EXTERNAL starts in PendingImport, refuses crypto with 409 Rejected.PendingImport, and refuses rotation', async () => {
    for (const keySpec of ['Aliyun_AES_256', 'Aliyun_SM4']) {
      const created = (await v3('CreateKey', { Origin: 'EXTERNAL', KeySpec: keySpec })).KeyMetadata;
      assert.equal(created.KeyState, 'PendingImport');
      assert.equal(created.Origin, 'EXTERNAL');
      assert.equal(created.MaterialExpireTime, '');
      const described = await describe3(created.KeyId);
      assert.equal(described.KeyState, 'PendingImport');
      assert.equal(described.Origin, 'EXTERNAL');
      for (const [action, extra] of [
        ['Encrypt', { Plaintext: 'x' }],
        ['GenerateDataKey', {}],
        ['GenerateDataKeyWithoutPlaintext', {}],
      ] as const) {
        await expectV3Error(v3(action, { KeyId: created.KeyId, ...extra }), { code: 'Rejected.PendingImport', statusCode: 409 });
      }
      // The state table answers before the origin (CreateKeyVersion needs an Enabled key, like
      // Encrypt; UpdateRotationPolicy on a PendingImport key is Rejected.PendingImport on
      // Alibaba's page, docs/state-table.md).
      await expectV3Error(v3('CreateKeyVersion', { KeyId: created.KeyId }), { code: 'Rejected.PendingImport', statusCode: 409 });
      await expectV3Error(v3('UpdateRotationPolicy', { KeyId: created.KeyId, EnableAutomaticRotation: true, RotationInterval: '30d' }), {
        code: 'Rejected.PendingImport',
        statusCode: 409,
      });
      await expectV1Error(v1.encrypt(new M.EncryptRequest({ keyId: created.KeyId, plaintext: 'x' })), {
        code: 'Rejected.PendingImport',
        statusCode: 409,
      });
    }
  });
});

describe('import with every wrapping algorithm, through both SDKs', () => {
  for (const algorithm of ALGORITHMS) {
    it(`${algorithm}: npm 1.2.0 SDK imports AES-256 material and the key encrypts and decrypts`, async () => {
      const keyId = await createExternalKey('Aliyun_AES_256');
      const params = await v1.getParametersForImport(
        new M.GetParametersForImportRequest({ keyId, wrappingAlgorithm: algorithm, wrappingKeySpec: SPEC_OF[algorithm] }),
      );
      assert.equal(params.keyId, keyId);
      const publicKey = createPublicKey({ key: base64Bytes(params.publicKey), format: 'der', type: 'spki' });
      // Node cannot name an SM2 key's type; its SubjectPublicKeyInfo names the curve by OID 1.2.156.10197.1.301.
      if (algorithm === 'SM2PKE') assert.ok(base64Bytes(params.publicKey).includes(Buffer.from('06082a811ccf5501822d', 'hex')));
      else assert.equal(publicKey.asymmetricKeyDetails?.modulusLength, 2048);
      const expiresIn = wireDateMs(params.tokenExpireTime) - Date.now();
      assert.ok(expiresIn > DAY_MS - 60_000 && expiresIn <= DAY_MS + 1000, `token valid 24 h (${expiresIn} ms)`);

      const material = randomBytes(32);
      imported.push(material);
      const response = await v1.importKeyMaterial(
        new M.ImportKeyMaterialRequest({
          keyId,
          importToken: params.importToken,
          encryptedKeyMaterial: wrapLikeAClient(params.publicKey, algorithm, material),
          keyMaterialExpireUnix: 0,
        }),
      );
      assert.ok(response.requestId);
      const described = await describe3(keyId);
      assert.equal(described.KeyState, 'Enabled');
      assert.equal(described.MaterialExpireTime, '');
      const encrypted = await v1.encrypt(new M.EncryptRequest({ keyId, plaintext: `hello ${algorithm}` }));
      assert.equal((await v1.decrypt(new M.DecryptRequest({ ciphertextBlob: encrypted.ciphertextBlob }))).plaintext, `hello ${algorithm}`);
      assert.ok((await v1.deleteKeyMaterial(new M.DeleteKeyMaterialRequest({ keyId }))).requestId);
      assert.equal((await describe3(keyId)).KeyState, 'PendingImport');
      await expectV1Error(v1.decrypt(new M.DecryptRequest({ ciphertextBlob: encrypted.ciphertextBlob })), {
        code: 'Rejected.PendingImport',
        statusCode: 409,
      });
    });

    it(`${algorithm}: the 3.x transport imports SM4 material and the key encrypts and decrypts`, async () => {
      const keyId = await createExternalKey('Aliyun_SM4');
      const params = await parameters(keyId, algorithm);
      assert.deepEqual(Object.keys(params).sort(), ['ImportToken', 'KeyId', 'PublicKey', 'RequestId', 'TokenExpireTime']);
      const material = randomBytes(16);
      imported.push(material);
      assertOnlyRequestId(
        await v3('ImportKeyMaterial', {
          KeyId: keyId,
          ImportToken: params.ImportToken,
          EncryptedKeyMaterial: wrapLikeAClient(params.PublicKey, algorithm, material),
          KeyMaterialExpireUnix: 0,
        }),
      );
      assert.equal((await describe3(keyId)).KeyState, 'Enabled');
      assert.equal(await decrypt(await encrypt(keyId, 'sm4 byok')), 'sm4 byok');
      // Enabled now, and still never rotated: Arca cannot make material for it.
      await expectV3Error(v3('CreateKeyVersion', { KeyId: keyId }), { code: 'Unsupported.Origin', statusCode: 400 });
    });
  }

  it('the imported material is what encrypts: a blob opens with AES-256-GCM under that material', async () => {
    const keyId = await createExternalKey();
    const material = randomBytes(32);
    await importMaterial(keyId, material, 'RSAES_OAEP_SHA_1');
    const blob = Buffer.from(await encrypt(keyId, 'known'), 'base64');
    const { createDecipheriv } = await import('node:crypto');
    const versionId = blob.subarray(0, 36);
    const iv = blob.subarray(36, 48);
    const tag = blob.subarray(blob.length - 16);
    // The blob's own additional data (ADR 2/3) is not rebuilt here; GCM without it still yields
    // the plaintext before the tag check, which is enough to show which key encrypted.
    const decipher = createDecipheriv('aes-256-gcm', material, iv);
    const plaintext = decipher.update(blob.subarray(48, blob.length - 16));
    assert.equal(plaintext.toString(), 'known');
    assert.equal(versionId.toString(), (await describe3(keyId)).PrimaryKeyVersion);
    assert.equal(tag.length, 16);
  });

  it('each GetParametersForImport call gives a new key pair and token, and a token can be used again within its 24 hours', async () => {
    const keyId = await createExternalKey();
    const a = await parameters(keyId, 'RSAES_OAEP_SHA_256');
    const b = await parameters(keyId, 'RSAES_OAEP_SHA_256');
    assert.notEqual(a.PublicKey, b.PublicKey);
    assert.notEqual(a.ImportToken, b.ImportToken);
    const material = randomBytes(32);
    imported.push(material);
    const wrapped = wrapLikeAClient(a.PublicKey, 'RSAES_OAEP_SHA_256', material);
    await v3('ImportKeyMaterial', { KeyId: keyId, ImportToken: a.ImportToken, EncryptedKeyMaterial: wrapped, KeyMaterialExpireUnix: 0 });
    await v3('ImportKeyMaterial', { KeyId: keyId, ImportToken: a.ImportToken, EncryptedKeyMaterial: wrapped, KeyMaterialExpireUnix: 0 });
    // Material wrapped for b's key does not open with a's token.
    await expectV3Error(
      v3('ImportKeyMaterial', {
        KeyId: keyId,
        ImportToken: a.ImportToken,
        EncryptedKeyMaterial: wrapLikeAClient(b.PublicKey, 'RSAES_OAEP_SHA_256', material),
        KeyMaterialExpireUnix: 0,
      }),
      { code: 'InvalidKeyMaterial', statusCode: 400 },
    );
  });
});

describe('deletion, expiry and re-import', () => {
  it('DeleteKeyMaterial sends the key to PendingImport; the same material brings back every old ciphertext; other material is refused', async () => {
    const keyId = await createExternalKey();
    const material = randomBytes(32);
    await importMaterial(keyId, material, 'RSAES_PKCS1_V1_5');
    const blobs = [await encrypt(keyId, 'one'), await encrypt(keyId, 'two')];
    const dataKey = await v3('GenerateDataKey', { KeyId: keyId });

    assertOnlyRequestId(await v3('DeleteKeyMaterial', { KeyId: keyId }));
    assert.equal((await describe3(keyId)).KeyState, 'PendingImport');
    await expectV3Error(v3('Decrypt', { CiphertextBlob: blobs[0] }), { code: 'Rejected.PendingImport', statusCode: 409 });
    await expectV3Error(v3('Encrypt', { KeyId: keyId, Plaintext: 'x' }), { code: 'Rejected.PendingImport', statusCode: 409 });

    const before = await describe3(keyId);
    await expectV3Error(importMaterial(keyId, randomBytes(32), 'RSAES_OAEP_SHA_256'), { code: 'InvalidKeyMaterial', statusCode: 400 });
    assert.deepEqual(await describe3(keyId), before, 'a refused import changes nothing');

    await importMaterial(keyId, material, 'SM2PKE');
    assert.equal((await describe3(keyId)).KeyState, 'Enabled');
    assert.equal(await decrypt(blobs[0]!), 'one');
    assert.equal(await decrypt(blobs[1]!), 'two');
    assert.equal(await decrypt(dataKey.CiphertextBlob), dataKey.Plaintext);
  });

  it('while Enabled, a re-import of the same material succeeds and resets the expiry; other material is refused and nothing changes', async () => {
    const keyId = await createExternalKey();
    const material = randomBytes(32);
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;
    await importMaterial(keyId, material, 'RSAES_OAEP_SHA_256', inAnHour);
    assert.equal(wireDateMs((await describe3(keyId)).MaterialExpireTime), inAnHour * 1000);
    const blob = await encrypt(keyId, 'kept');
    await expectV3Error(importMaterial(keyId, randomBytes(32)), { code: 'InvalidKeyMaterial', statusCode: 400 });
    assert.equal(wireDateMs((await describe3(keyId)).MaterialExpireTime), inAnHour * 1000);
    assert.equal(await decrypt(blob), 'kept');
    await importMaterial(keyId, material, 'RSAES_OAEP_SHA_1', 0);
    assert.equal((await describe3(keyId)).MaterialExpireTime, '');
    assert.equal(await decrypt(blob), 'kept');
  });

  it('a key pending deletion: ImportKeyMaterial is refused, DeleteKeyMaterial keeps PendingDeletion and DeleteDate, cancel returns it to PendingImport', async () => {
    const keyId = await createExternalKey();
    const material = randomBytes(32);
    await importMaterial(keyId, material);
    await v3('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
    const pending = await describe3(keyId);
    await expectV3Error(importMaterial(keyId, material), { code: 'Rejected.StateModifiedFailed', statusCode: 409 });
    await v3('DeleteKeyMaterial', { KeyId: keyId });
    const after = await describe3(keyId);
    assert.equal(after.KeyState, 'PendingDeletion');
    assert.equal(after.DeleteDate, pending.DeleteDate);
    await v3('CancelKeyDeletion', { KeyId: keyId });
    assert.equal((await describe3(keyId)).KeyState, 'PendingImport', 'a key without material is never Enabled');
    await importMaterial(keyId, material);
    assert.equal((await describe3(keyId)).KeyState, 'Enabled');
  });
});

describe('bad input: each gets its documented 4xx and the key does not change', () => {
  /** A PendingImport key and an Enabled one with a known ciphertext. */
  async function keysInBothStates(): Promise<{ pendingId: string; enabledId: string; blob: string }> {
    const pendingId = await createExternalKey();
    const enabledId = await createExternalKey();
    await importMaterial(enabledId, randomBytes(32));
    return { pendingId, enabledId, blob: await encrypt(enabledId, 'unchanged') };
  }

  async function assertUnchanged(
    keys: { pendingId: string; enabledId: string; blob: string },
    check: () => Promise<unknown>,
  ): Promise<void> {
    const before = [await describe3(keys.pendingId), await describe3(keys.enabledId)];
    await check();
    assert.deepEqual([await describe3(keys.pendingId), await describe3(keys.enabledId)], before);
    assert.equal(await decrypt(keys.blob), 'unchanged', 'the material did not change');
  }

  it('a token of another key is InvalidImportToken', async () => {
    const keys = await keysInBothStates();
    const other = await createExternalKey();
    const foreign = await parameters(other, 'RSAES_OAEP_SHA_256');
    for (const keyId of [keys.pendingId, keys.enabledId]) {
      await assertUnchanged(keys, () =>
        expectV3Error(
          v3('ImportKeyMaterial', {
            KeyId: keyId,
            ImportToken: foreign.ImportToken,
            EncryptedKeyMaterial: wrapLikeAClient(foreign.PublicKey, 'RSAES_OAEP_SHA_256', randomBytes(32)),
            KeyMaterialExpireUnix: 0,
          }),
          { code: 'InvalidImportToken', statusCode: 400 },
        ),
      );
    }
  });

  it('a garbled token (a flipped bit, cut short, not base64, empty payload) is InvalidImportToken', async () => {
    const keys = await keysInBothStates();
    const params = await parameters(keys.pendingId, 'RSAES_OAEP_SHA_256');
    const wrapped = wrapLikeAClient(params.PublicKey, 'RSAES_OAEP_SHA_256', randomBytes(32));
    const token = Buffer.from(params.ImportToken, 'base64');
    const garbled = [
      Buffer.from(token.map((b, i) => (i === 40 ? b ^ 1 : b))).toString('base64'),
      Buffer.from(token.map((b, i) => (i === 0 ? b ^ 1 : b))).toString('base64'),
      token.subarray(0, token.length - 1).toString('base64'),
      token.subarray(0, 20).toString('base64'),
      `${params.ImportToken}!`,
      'AQ==',
    ];
    for (const importToken of garbled) {
      await assertUnchanged(keys, () =>
        expectV3Error(
          v3('ImportKeyMaterial', {
            KeyId: keys.pendingId,
            ImportToken: importToken,
            EncryptedKeyMaterial: wrapped,
            KeyMaterialExpireUnix: 0,
          }),
          {
            code: 'InvalidImportToken',
            statusCode: 400,
            message: 'The import token is invalid.',
          },
        ),
      );
    }
  });

  it('an expired token (made by this server for this key, more than 24 hours ago) is ExpiredImportToken', async () => {
    const keys = await keysInBothStates();
    // A token exactly as GetParametersForImport seals it, with its expiry in the past: made with the
    // server's own root key from its data directory, since the server's clock cannot be moved here.
    const rootKey = RootKey.fromBase64(readFileSync(`${server.dataDir}.root.key`, 'utf8').trim(), 'the root key file');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const expired = (
      await sealImportToken(rootKey, keys.pendingId, {
        scheme: { keySpec: WrappingKeySpec.Rsa2048, algorithm: WrappingAlgorithm.RsaesOaepSha256 },
        expiresAtMs: Date.now() - 1000,
        privateKey: SecretBytes.adopt(privateKey.export({ type: 'pkcs8', format: 'der' })),
      })
    ).toString('base64');
    const wrapped = wrapLikeAClient(
      publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      'RSAES_OAEP_SHA_256',
      randomBytes(32),
    );
    await assertUnchanged(keys, () =>
      expectV3Error(
        v3('ImportKeyMaterial', { KeyId: keys.pendingId, ImportToken: expired, EncryptedKeyMaterial: wrapped, KeyMaterialExpireUnix: 0 }),
        {
          code: 'ExpiredImportToken',
          statusCode: 400,
        },
      ),
    );
  });

  it('material of the wrong size, or that does not unwrap, is InvalidKeyMaterial for every algorithm', async () => {
    const keys = await keysInBothStates();
    const sm4Key = await createExternalKey('Aliyun_SM4');
    for (const algorithm of ALGORITHMS) {
      const params = await parameters(keys.pendingId, algorithm);
      const sm4Params = await parameters(sm4Key, algorithm);
      const bad = [
        wrapLikeAClient(params.PublicKey, algorithm, randomBytes(16)),
        wrapLikeAClient(params.PublicKey, algorithm, randomBytes(33)),
        randomBytes(algorithm === 'SM2PKE' ? 130 : 256).toString('base64'),
        Buffer.from(
          base64Bytes(wrapLikeAClient(params.PublicKey, algorithm, randomBytes(32))).map((b, i) => (i === 100 ? b ^ 4 : b)),
        ).toString('base64'),
        'not base64!',
      ];
      for (const encrypted of bad) {
        await assertUnchanged(keys, () =>
          expectV3Error(
            v3('ImportKeyMaterial', {
              KeyId: keys.pendingId,
              ImportToken: params.ImportToken,
              EncryptedKeyMaterial: encrypted,
              KeyMaterialExpireUnix: 0,
            }),
            {
              code: 'InvalidKeyMaterial',
              statusCode: 400,
              message: 'The key material is invalid.',
            },
          ),
        );
      }
      await expectV3Error(
        v3('ImportKeyMaterial', {
          KeyId: sm4Key,
          ImportToken: sm4Params.ImportToken,
          EncryptedKeyMaterial: wrapLikeAClient(sm4Params.PublicKey, algorithm, randomBytes(32)),
          KeyMaterialExpireUnix: 0,
        }),
        { code: 'InvalidKeyMaterial', statusCode: 400 },
      );
      assert.equal((await describe3(sm4Key)).KeyState, 'PendingImport', `${algorithm}: 32 bytes are not SM4 material`);
    }
  });

  it('an unsupported WrappingKeySpec / WrappingAlgorithm pairing is 400 InvalidParameter', async () => {
    const keyId = await createExternalKey();
    const refusals: [Record<string, string>, string][] = [
      [{ WrappingKeySpec: 'RSA_2048', WrappingAlgorithm: 'SM2PKE' }, 'WrappingAlgorithm'],
      [{ WrappingKeySpec: 'EC_SM2', WrappingAlgorithm: 'RSAES_OAEP_SHA_256' }, 'WrappingAlgorithm'],
      [{ WrappingKeySpec: 'RSA_2048', WrappingAlgorithm: 'RSAES_OAEP_SHA_512' }, 'WrappingAlgorithm'],
      [{ WrappingKeySpec: 'RSA_3072', WrappingAlgorithm: 'RSAES_OAEP_SHA_256' }, 'WrappingKeySpec'],
      [{ WrappingKeySpec: 'rsa_2048', WrappingAlgorithm: 'RSAES_OAEP_SHA_256' }, 'WrappingKeySpec'],
    ];
    for (const [pair, parameter] of refusals) {
      await expectV3Error(v3('GetParametersForImport', { KeyId: keyId, ...pair }), {
        code: 'InvalidParameter',
        statusCode: 400,
        message: `The specified parameter "${parameter}" is not valid.`,
      });
    }
    await expectV3Error(v3('GetParametersForImport', { KeyId: keyId, WrappingKeySpec: 'RSA_2048' }), {
      code: 'MissingParameter',
      statusCode: 400,
    });
    assert.equal((await describe3(keyId)).KeyState, 'PendingImport');
  });

  it('import actions on an Aliyun_KMS key are 400 Unsupported.Origin and change nothing', async () => {
    const keyId = (await v3('CreateKey', {})).KeyMetadata.KeyId;
    const blob = await encrypt(keyId, 'native');
    const before = await describe3(keyId);
    await expectV3Error(
      v3('GetParametersForImport', { KeyId: keyId, WrappingKeySpec: 'RSA_2048', WrappingAlgorithm: 'RSAES_OAEP_SHA_256' }),
      {
        code: 'Unsupported.Origin',
        statusCode: 400,
      },
    );
    const external = await createExternalKey();
    const params = await parameters(external, 'RSAES_OAEP_SHA_256');
    await expectV3Error(
      v3('ImportKeyMaterial', {
        KeyId: keyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrapLikeAClient(params.PublicKey, 'RSAES_OAEP_SHA_256', randomBytes(32)),
        KeyMaterialExpireUnix: 0,
      }),
      { code: 'Unsupported.Origin', statusCode: 400 },
    );
    await expectV3Error(v3('DeleteKeyMaterial', { KeyId: keyId }), { code: 'Unsupported.Origin', statusCode: 400 });
    await expectV1Error(v1.deleteKeyMaterial(new M.DeleteKeyMaterialRequest({ keyId })), { code: 'Unsupported.Origin', statusCode: 400 });
    assert.deepEqual(await describe3(keyId), before);
    assert.equal(await decrypt(blob), 'native');
  });

  it('KeyMaterialExpireUnix in the past, negative, or beyond year 9999 is 400 InvalidParameter', async () => {
    const keys = await keysInBothStates();
    const params = await parameters(keys.pendingId, 'RSAES_OAEP_SHA_256');
    const wrapped = wrapLikeAClient(params.PublicKey, 'RSAES_OAEP_SHA_256', randomBytes(32));
    for (const expire of [Math.floor(Date.now() / 1000) - 10, 1, -5, 253_402_300_800, 999_999_999_999_999]) {
      await assertUnchanged(keys, () =>
        expectV3Error(
          v3('ImportKeyMaterial', {
            KeyId: keys.pendingId,
            ImportToken: params.ImportToken,
            EncryptedKeyMaterial: wrapped,
            KeyMaterialExpireUnix: expire,
          }),
          {
            code: 'InvalidParameter',
            statusCode: 400,
            message: 'The specified parameter "KeyMaterialExpireUnix" is not valid.',
          },
        ),
      );
    }
  });
});

describe('ExportDataKey and GenerateAndExportDataKey', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaPublicBlob = rsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

  function unwrapRsa(exported: string, hash: 'sha1' | 'sha256'): Buffer {
    return privateDecrypt({ key: rsa.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, base64Bytes(exported));
  }

  it('export a GenerateDataKey blob under RSA OAEP SHA-1 and SHA-256 (Node decrypts) and SM2 (openssl decrypts)', async () => {
    const keyId = (await v3('CreateKey', { KeySpec: 'Aliyun_SM4' })).KeyMetadata.KeyId;
    const generated = await v3('GenerateDataKey', { KeyId: keyId, EncryptionContext: { app: 'export' } });
    const dataKey = base64Bytes(generated.Plaintext);
    for (const [algorithm, hash] of [
      ['RSAES_OAEP_SHA_1', 'sha1'],
      ['RSAES_OAEP_SHA_256', 'sha256'],
    ] as const) {
      const body = await v3('ExportDataKey', {
        CiphertextBlob: generated.CiphertextBlob,
        PublicKeyBlob: rsaPublicBlob,
        WrappingKeySpec: 'RSA_2048',
        WrappingAlgorithm: algorithm,
        EncryptionContext: { app: 'export' },
      });
      assert.deepEqual(Object.keys(body).sort(), ['ExportedDataKey', 'KeyId', 'KeyVersionId', 'RequestId']);
      assert.equal(body.KeyId, keyId);
      assert.equal(body.KeyVersionId, generated.KeyVersionId);
      assert.deepEqual(unwrapRsa(body.ExportedDataKey, hash), dataKey);
    }
    const sm2 = opensslSm2KeyPair();
    const body = await v3('ExportDataKey', {
      CiphertextBlob: generated.CiphertextBlob,
      PublicKeyBlob: sm2.publicKeySpki.toString('base64'),
      WrappingKeySpec: 'EC_SM2',
      WrappingAlgorithm: 'SM2PKE',
      EncryptionContext: { app: 'export' },
    });
    assert.deepEqual(opensslSm2Decrypt(sm2.privateKeyPem, base64Bytes(body.ExportedDataKey)), dataKey);
    // The wrong context opens nothing: the one opaque ciphertext error.
    await expectV3Error(
      v3('ExportDataKey', {
        CiphertextBlob: generated.CiphertextBlob,
        PublicKeyBlob: rsaPublicBlob,
        WrappingKeySpec: 'RSA_2048',
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      }),
      { code: 'InvalidParameter', statusCode: 400, message: 'The specified parameter "CiphertextBlob" is not valid.' },
    );
  });

  it('GenerateAndExportDataKey: the exported key is the key the CiphertextBlob holds, for each algorithm and through the npm 1.2.0 transport', async () => {
    const keyId = await createExternalKey();
    await importMaterial(keyId, randomBytes(32));
    const sm2 = opensslSm2KeyPair();
    const cases = [
      { spec: 'RSA_2048', algorithm: 'RSAES_OAEP_SHA_1', blob: rsaPublicBlob, open: (e: string) => unwrapRsa(e, 'sha1') },
      { spec: 'RSA_2048', algorithm: 'RSAES_OAEP_SHA_256', blob: rsaPublicBlob, open: (e: string) => unwrapRsa(e, 'sha256') },
      {
        spec: 'EC_SM2',
        algorithm: 'SM2PKE',
        blob: sm2.publicKeySpki.toString('base64'),
        open: (e: string) => opensslSm2Decrypt(sm2.privateKeyPem, base64Bytes(e)),
      },
    ];
    for (const c of cases) {
      const body = await v3('GenerateAndExportDataKey', {
        KeyId: keyId,
        NumberOfBytes: 24,
        PublicKeyBlob: c.blob,
        WrappingKeySpec: c.spec,
        WrappingAlgorithm: c.algorithm,
      });
      assert.deepEqual(Object.keys(body).sort(), ['CiphertextBlob', 'ExportedDataKey', 'KeyId', 'KeyVersionId', 'RequestId']);
      const exported = c.open(body.ExportedDataKey);
      assert.equal(exported.length, 24);
      assert.equal(await decrypt(body.CiphertextBlob), exported.toString('base64'));
    }
    // The npm 1.2.0 package has no ExportDataKey model; its rpc-client transport still carries it.
    const viaV1 = await v1.doRequest(
      'GenerateAndExportDataKey',
      'HTTP',
      'POST',
      '2016-01-20',
      'AK',
      { KeyId: keyId, PublicKeyBlob: rsaPublicBlob, WrappingKeySpec: 'RSA_2048', WrappingAlgorithm: 'RSAES_OAEP_SHA_256' },
      null,
      {},
    );
    assert.equal(await decrypt(viaV1.CiphertextBlob), unwrapRsa(viaV1.ExportedDataKey, 'sha256').toString('base64'));
  });

  it('refuses PKCS#1 v1.5, a mismatched or malformed public key, a too long data key, a PendingImport key, and a blob that holds no data key', async () => {
    const keyId = (await v3('CreateKey', {})).KeyMetadata.KeyId;
    const generated = await v3('GenerateDataKey', { KeyId: keyId });
    const sm2Blob = opensslSm2KeyPair().publicKeySpki.toString('base64');
    const rsa3072Blob = generateKeyPairSync('rsa', { modulusLength: 3072 })
      .publicKey.export({ type: 'spki', format: 'der' })
      .toString('base64');
    const exportWith = (fields: Record<string, unknown>): Promise<any> =>
      v3('ExportDataKey', {
        CiphertextBlob: generated.CiphertextBlob,
        PublicKeyBlob: rsaPublicBlob,
        WrappingKeySpec: 'RSA_2048',
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        ...fields,
      });
    const invalid = (parameter: string) => ({
      code: 'InvalidParameter',
      statusCode: 400,
      message: `The specified parameter "${parameter}" is not valid.`,
    });
    await expectV3Error(exportWith({ WrappingAlgorithm: 'RSAES_PKCS1_V1_5' }), invalid('WrappingAlgorithm'));
    await expectV3Error(exportWith({ WrappingKeySpec: 'EC_SM2' }), invalid('WrappingAlgorithm'));
    await expectV3Error(exportWith({ WrappingKeySpec: 'EC_SM2', WrappingAlgorithm: 'SM2PKE' }), invalid('PublicKeyBlob'));
    await expectV3Error(exportWith({ PublicKeyBlob: sm2Blob }), invalid('PublicKeyBlob'));
    await expectV3Error(exportWith({ PublicKeyBlob: rsa3072Blob }), invalid('PublicKeyBlob'));
    await expectV3Error(exportWith({ PublicKeyBlob: 'bm90IGEga2V5' }), invalid('PublicKeyBlob'));
    await expectV3Error(exportWith({ PublicKeyBlob: '%%%' }), invalid('PublicKeyBlob'));
    const textBlob = await encrypt(keyId, 'not a data key!');
    await expectV3Error(exportWith({ CiphertextBlob: textBlob }), invalid('CiphertextBlob'));
    await expectV3Error(
      v3('GenerateAndExportDataKey', {
        KeyId: keyId,
        NumberOfBytes: 191,
        PublicKeyBlob: rsaPublicBlob,
        WrappingKeySpec: 'RSA_2048',
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      }),
      invalid('NumberOfBytes'),
    );
    const pending = await createExternalKey();
    await expectV3Error(
      v3('GenerateAndExportDataKey', {
        KeyId: pending,
        PublicKeyBlob: rsaPublicBlob,
        WrappingKeySpec: 'RSA_2048',
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      }),
      { code: 'Rejected.PendingImport', statusCode: 409 },
    );
    await expectV3Error(exportWith({ DryRun: 'true' }), { code: 'DryRunOperationError', statusCode: 412 });
  });
});

describe('the state table for the import and export actions (alibaba-kms-api.md §3), on EXTERNAL keys', () => {
  const STATES = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport'] as const;
  type State = (typeof STATES)[number];
  const USE_KEY: Record<State, string | null> = {
    Enabled: null,
    Disabled: 'Rejected.Disabled',
    PendingDeletion: 'Rejected.PendingDeletion',
    PendingImport: 'Rejected.PendingImport',
  };
  const rsaBlob = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const exportTarget = { PublicKeyBlob: rsaBlob, WrappingKeySpec: 'RSA_2048', WrappingAlgorithm: 'RSAES_OAEP_SHA_256' };

  /** An EXTERNAL key with material and a data-key blob, moved to `state`. */
  async function keyIn(state: State): Promise<{ keyId: string; material: Buffer; blob: string }> {
    const keyId = await createExternalKey();
    const material = randomBytes(32);
    await importMaterial(keyId, material);
    const blob = (await v3('GenerateDataKey', { KeyId: keyId })).CiphertextBlob;
    if (state === 'Disabled') await v3('DisableKey', { KeyId: keyId });
    if (state === 'PendingDeletion') await v3('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
    if (state === 'PendingImport') await v3('DeleteKeyMaterial', { KeyId: keyId });
    assert.equal((await describe3(keyId)).KeyState, state);
    return { keyId, material, blob };
  }

  for (const state of STATES) {
    it(`${state}: GetParametersForImport and DeleteKeyMaterial are allowed, ImportKeyMaterial ${state === 'PendingDeletion' ? 'is refused' : 'is allowed'}, the export actions follow Encrypt`, async () => {
      const { keyId, material, blob } = await keyIn(state);
      const refusal = USE_KEY[state];
      for (const [action, params] of [
        ['GenerateAndExportDataKey', { KeyId: keyId, ...exportTarget }],
        ['ExportDataKey', { CiphertextBlob: blob, ...exportTarget }],
      ] as const) {
        if (refusal === null) assert.ok((await v3(action, params)).ExportedDataKey);
        else await expectV3Error(v3(action, params), { code: refusal, statusCode: 409 });
      }
      assert.ok((await parameters(keyId, 'RSAES_OAEP_SHA_256')).ImportToken);
      if (state === 'PendingDeletion') {
        await expectV3Error(importMaterial(keyId, material), { code: 'Rejected.StateModifiedFailed', statusCode: 409 });
        assert.equal((await describe3(keyId)).KeyState, 'PendingDeletion');
      } else {
        await importMaterial(keyId, material);
        assert.equal((await describe3(keyId)).KeyState, state === 'PendingImport' ? 'Enabled' : state);
      }
      await v3('DeleteKeyMaterial', { KeyId: keyId });
      assert.equal((await describe3(keyId)).KeyState, state === 'PendingDeletion' ? 'PendingDeletion' : 'PendingImport');
    });
  }
});

describe("material expiry on the server's job tick", () => {
  it('the key goes to PendingImport at the first tick after MaterialExpireTime; the same material brings its ciphertexts back', async () => {
    // The server's clock runs 120 s ahead when the test says so: well inside the 15-minute
    // signature window, so the SDK's requests are still accepted.
    let offsetMs = 0;
    const ticking = await startTestServer({ clock: { now: () => Date.now() + offsetMs }, jobIntervalMs: 100 });
    try {
      const call = v3Caller(ticking);
      const keyId = (await call('CreateKey', { Origin: 'EXTERNAL' })).KeyMetadata.KeyId;
      const material = randomBytes(32);
      imported.push(material);
      const importWith = async (expireUnix: number): Promise<void> => {
        const params = await call('GetParametersForImport', {
          KeyId: keyId,
          WrappingKeySpec: 'RSA_2048',
          WrappingAlgorithm: 'RSAES_OAEP_SHA_1',
        });
        await call('ImportKeyMaterial', {
          KeyId: keyId,
          ImportToken: params.ImportToken,
          EncryptedKeyMaterial: wrapLikeAClient(params.PublicKey, 'RSAES_OAEP_SHA_1', material),
          KeyMaterialExpireUnix: expireUnix,
        });
      };
      const expireUnix = Math.floor(Date.now() / 1000) + 60;
      await importWith(expireUnix);
      const described = (await call('DescribeKey', { KeyId: keyId })).KeyMetadata;
      assert.equal(described.MaterialExpireTime, new Date(expireUnix * 1000).toISOString().replace('.000Z', 'Z'));
      const blob = (await call('Encrypt', { KeyId: keyId, Plaintext: 'expiring' })).CiphertextBlob;

      offsetMs = 120_000;
      const deadline = Date.now() + 15_000;
      let state = described.KeyState;
      while (state !== 'PendingImport' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        state = (await call('DescribeKey', { KeyId: keyId })).KeyMetadata.KeyState;
      }
      assert.equal(state, 'PendingImport');
      assert.equal((await call('DescribeKey', { KeyId: keyId })).KeyMetadata.MaterialExpireTime, '');
      await expectV3Error(call('Decrypt', { CiphertextBlob: blob }), { code: 'Rejected.PendingImport', statusCode: 409 });
      await importWith(0);
      assert.equal((await call('Decrypt', { CiphertextBlob: blob })).Plaintext, 'expiring');
    } finally {
      await ticking.close();
    }
  });
});

describe('the data directory holds no imported material', () => {
  function filesUnder(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
  }

  it('not raw, hex (either case) nor base64, in any file, after imports, deletions and re-imports, with the server stopped', async () => {
    // Make sure material is in the store, deleted, and re-imported, before looking.
    const keyId = await createExternalKey('Aliyun_SM4');
    const material = randomBytes(16);
    await importMaterial(keyId, material, 'SM2PKE');
    await v3('DeleteKeyMaterial', { KeyId: keyId });
    await importMaterial(keyId, material, 'RSAES_PKCS1_V1_5');
    assert.ok(imported.length >= 20, `${imported.length} materials to look for`);
    const searchDataDir = (when: string): string[] => {
      const files = filesUnder(server.dataDir);
      for (const file of files) {
        const bytes = readFileSync(file);
        const text = bytes.toString('latin1');
        for (const m of imported) {
          assert.equal(bytes.indexOf(m), -1, `raw material in ${file} ${when}`);
          for (const form of [
            m.toString('hex'),
            m.toString('hex').toUpperCase(),
            m.toString('base64'),
            m.toString('base64').replace(/=+$/, ''),
          ]) {
            assert.ok(!text.includes(form), `material as ${form} in ${file} ${when}`);
          }
        }
      }
      return files;
    };
    const running = searchDataDir('while the server runs');
    assert.ok(
      running.some((file) => file.endsWith('arca.db-wal')),
      `the WAL is among ${running.join(', ')}`,
    );
    await server.close({ keepData: true });
    const stopped = searchDataDir('after the server stopped');
    assert.ok(
      stopped.some((file) => file.endsWith('arca.db')),
      `the database is among ${stopped.join(', ')}`,
    );
    server = await startTestServer({ dataDir: server.dataDir });
    v3 = v3Caller(server);
    // And it all still works after the restart.
    assert.equal(await decrypt(await encrypt(keyId, 'after restart')), 'after restart');
  });
});
