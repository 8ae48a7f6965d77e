// Bring your own key into the HSM, end to end: the compiled server against a fresh SoftHSM2
// token, driven over HTTP by the current SDK's wire path. The material is wrapped as a client
// wraps it (Node's publicEncrypt, RSA-OAEP with SHA-1) with the public key of a pair the token
// made; the token unwraps it, and Arca never holds it (docs/adr/0020).
import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureBuilt, killAllArcas, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { v3Caller } from '../support/clients.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';
import { TEST_CREDENTIALS } from '../support/environment.js';
import type { Call } from '../support/sdk-calls.js';
import { hsmSkipReason, newSoftHsmDirectory, type SoftHsmDirectory, type SoftHsmToken } from '../support/softhsm.js';
import { listPrivateKeys, listSecretKeys } from '../support/token-inspector.js';
import { expectV3Error } from '../e2e/support-sdk-assertions.js';

const CONTEXT = { purpose: 'hsm-import' };

function wrapLikeAClient(publicKeyBase64: string, material: Buffer, oaepHash = 'sha1'): string {
  const key = createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, material).toString('base64');
}

describe('EXTERNAL HSM keys: material unwrapped inside the token', { skip: hsmSkipReason() }, () => {
  let softHsm: SoftHsmDirectory;
  let token: SoftHsmToken;
  let arca: ArcaProcess;
  let dataDir: string;
  let call: Call;
  /** Every material imported here, for the search of the data directory. */
  const imported: Buffer[] = [];

  before(async () => {
    ensureBuilt();
    softHsm = newSoftHsmDirectory({ inProcess: true });
    token = softHsm.newToken();
    dataDir = newDataDir('arca-hsm-import-');
    arca = await spawnArca({
      dataDir,
      credentials: TEST_CREDENTIALS,
      env: token.environment,
      args: [...token.serverArgs, '--job-interval', '1s'],
    });
    call = v3Caller(arca);
  });

  after(() => {
    killAllArcas();
    removeDataDirs();
    softHsm.remove();
  });

  async function createExternalHsmKey(): Promise<string> {
    const { KeyMetadata } = await call('CreateKey', { Origin: 'EXTERNAL', ProtectionLevel: 'HSM' });
    assert.deepEqual([KeyMetadata.Origin, KeyMetadata.ProtectionLevel, KeyMetadata.KeyState], ['EXTERNAL', 'HSM', 'PendingImport']);
    return KeyMetadata.KeyId;
  }

  async function parameters(keyId: string): Promise<{ ImportToken: string; PublicKey: string }> {
    return call('GetParametersForImport', { KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' });
  }

  async function importMaterial(
    keyId: string,
    material: Buffer,
    given?: { ImportToken: string; PublicKey: string },
    expireUnix = 0,
  ): Promise<unknown> {
    const { ImportToken, PublicKey } = given ?? (await parameters(keyId));
    imported.push(material);
    return call('ImportKeyMaterial', {
      KeyId: keyId,
      ImportToken,
      EncryptedKeyMaterial: wrapLikeAClient(PublicKey, material),
      KeyMaterialExpireUnix: expireUnix,
    });
  }

  async function keyState(keyId: string): Promise<string> {
    return (await call('DescribeKey', { KeyId: keyId })).KeyMetadata.KeyState;
  }

  const invalidMaterial = { code: 'InvalidKeyMaterial', statusCode: 400, message: 'The key material is invalid.' };

  it('import, Encrypt and Decrypt; after DeleteKeyMaterial the same material brings old ciphertexts back, other material is refused', async () => {
    const keyId = await createExternalHsmKey();
    const material = randomBytes(32);
    await importMaterial(keyId, material);
    assert.equal(await keyState(keyId), 'Enabled');
    const sealed = await call('Encrypt', { KeyId: keyId, Plaintext: 'brought into the token', EncryptionContext: CONTEXT });
    assert.equal(
      (await call('Decrypt', { CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: CONTEXT })).Plaintext,
      'brought into the token',
    );

    await call('DeleteKeyMaterial', { KeyId: keyId });
    assert.equal(await keyState(keyId), 'PendingImport');
    await expectV3Error(importMaterial(keyId, randomBytes(32)), invalidMaterial);
    assert.equal(await keyState(keyId), 'PendingImport', 'a refused import leaves the key as it was');
    await importMaterial(keyId, material);
    assert.equal(await keyState(keyId), 'Enabled');
    assert.equal(
      (await call('Decrypt', { CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: CONTEXT })).Plaintext,
      'brought into the token',
    );
  });

  it('material that expired is destroyed by the job; the same material imported again decrypts the old ciphertext', async () => {
    const keyId = await createExternalHsmKey();
    const material = randomBytes(32);
    // The parameters first: making the pair in the token takes time on a loaded machine.
    const given = await parameters(keyId);
    await importMaterial(keyId, material, given, Math.floor(Date.now() / 1000) + 4);
    const sealed = await call('Encrypt', { KeyId: keyId, Plaintext: 'until it expires', EncryptionContext: CONTEXT });
    // The job runs every second; a loaded machine gets a generous wait.
    const deadline = Date.now() + 30_000;
    while ((await keyState(keyId)) !== 'PendingImport') {
      assert.ok(Date.now() < deadline, 'the expired material was destroyed');
      await sleep(250);
    }
    await expectV3Error(importMaterial(keyId, randomBytes(32)), invalidMaterial);
    await importMaterial(keyId, material);
    assert.equal(
      (await call('Decrypt', { CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: CONTEXT })).Plaintext,
      'until it expires',
    );
  });

  it('a used ImportToken is refused (its pair is gone from the token); a garbled one too', async () => {
    const keyId = await createExternalHsmKey();
    const given = await parameters(keyId);
    const material = randomBytes(32);
    await importMaterial(keyId, material, given);
    const invalidToken = { code: 'InvalidImportToken', statusCode: 400, message: 'The import token is invalid.' };
    await expectV3Error(importMaterial(keyId, material, given), invalidToken);
    const bytes = Buffer.from(given.ImportToken, 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    await expectV3Error(importMaterial(keyId, material, { ...given, ImportToken: bytes.toString('base64') }), invalidToken);
    const other = await createExternalHsmKey();
    await expectV3Error(importMaterial(keyId, material, await parameters(other)), invalidToken);
  });

  it('material that is not an AES-256 key, or not wrapped with OAEP SHA-1, is InvalidKeyMaterial', async () => {
    const keyId = await createExternalHsmKey();
    await expectV3Error(importMaterial(keyId, randomBytes(16)), invalidMaterial);
    const { ImportToken, PublicKey } = await parameters(keyId);
    const sha256 = wrapLikeAClient(PublicKey, randomBytes(32), 'sha256');
    await expectV3Error(
      call('ImportKeyMaterial', { KeyId: keyId, ImportToken, EncryptedKeyMaterial: sha256, KeyMaterialExpireUnix: 0 }),
      invalidMaterial,
    );
    assert.equal(await keyState(keyId), 'PendingImport');
  });

  it('any wrapping scheme but RSA_2048 with RSAES_OAEP_SHA_1 is refused with a 400 naming the supported one', async () => {
    const keyId = await createExternalHsmKey();
    for (const [spec, algorithm] of [
      ['RSA_2048', 'RSAES_OAEP_SHA_256'],
      ['RSA_2048', 'RSAES_PKCS1_V1_5'],
      ['EC_SM2', 'SM2PKE'],
    ] as const) {
      await expectV3Error(call('GetParametersForImport', { KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: spec }), {
        code: 'Unsupported.ProtectionLevel',
        statusCode: 400,
        message: `WrappingKeySpec ${spec} with WrappingAlgorithm ${algorithm} is not available at the protection level HSM: supported is WrappingKeySpec RSA_2048 with WrappingAlgorithm RSAES_OAEP_SHA_1.`,
      });
    }
  });

  it('import key pairs live in the token, sensitive and never extractable, at most four per key', async () => {
    const keyId = await createExternalHsmKey();
    for (let i = 0; i < 6; i++) await parameters(keyId);
    const pairs = listPrivateKeys(token).filter((pair) => pair.label.includes(keyId));
    assert.equal(pairs.length, 4);
    for (const pair of listPrivateKeys(token)) assert.deepEqual(pair, { ...pair, onToken: true, sensitive: true, extractable: false });
    await importMaterial(keyId, randomBytes(32));
    assert.equal(
      listPrivateKeys(token).filter((pair) => pair.label.includes(keyId)).length,
      3,
      'a new pair was made (the oldest swept) and, once used, destroyed',
    );
  });

  it('every secret key object in the token stays sensitive and never extractable', () => {
    const objects = listSecretKeys(token);
    assert.ok(objects.length >= 1);
    for (const object of objects) assert.deepEqual(object, { ...object, onToken: true, sensitive: true, extractable: false });
  });

  it('the data directory holds no imported material in the clear (raw, base64 or hex)', async () => {
    await arca.stop();
    assert.ok(imported.length >= 5);
    const files = readdirSync(dataDir).map((name) => readFileSync(join(dataDir, name)));
    for (const material of imported) {
      for (const bytes of files) {
        assert.equal(bytes.includes(material), false);
        assert.equal(bytes.includes(Buffer.from(material.toString('base64'))), false);
        assert.equal(bytes.includes(Buffer.from(material.toString('hex'))), false);
      }
    }
  });
});
