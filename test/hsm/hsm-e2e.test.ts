// HSM keys end to end: the compiled server started as outside checks start it, with
// --pkcs11-module and --pkcs11-token-label against a fresh SoftHSM2 token and the PIN in
// ARCA_PKCS11_PIN, driven over HTTP by the current SDK's wire path (openapi-core callApi) and
// the npm 1.2.0 client.
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { ciphertextFromBase64 } from '../../src/api/base64.js';
import { decodeCiphertextBlob } from '../../src/domain/ciphertext-blob.js';
import { callAcs3 } from '../support/acs3-signer.js';
import { ensureBuilt, killAllArcas, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { KmsModels, v1Client, v3Caller } from '../support/clients.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';
import { TEST_CREDENTIALS } from '../support/environment.js';
import type { Call } from '../support/sdk-calls.js';
import { startTestServer } from '../support/server.js';
import { hsmSkipReason, newSoftHsmDirectory, type SoftHsmDirectory, type SoftHsmToken } from '../support/softhsm.js';
import { listSecretKeys } from '../support/token-inspector.js';
import { expectV1Error, expectV3Error } from '../e2e/support-sdk-assertions.js';

const M: any = KmsModels;
const CONTEXT = { purpose: 'hsm-e2e', tenant: 'a' };

describe('a server without a PKCS#11 token', () => {
  it('answers ProtectionLevel=HSM with 400 Unsupported.ProtectionLevel saying what it needs', async () => {
    const server = await startTestServer();
    try {
      const call = v3Caller(server);
      await expectV3Error(call('CreateKey', { ProtectionLevel: 'HSM' }), {
        code: 'Unsupported.ProtectionLevel',
        statusCode: 400,
        message:
          'The protection level HSM is not available on this server: it was started without a PKCS#11 token (--pkcs11-module, --pkcs11-token-label).',
      });
      const service = await call('DescribeService', {});
      assert.deepEqual(service.ProtectionLevels.ProtectionLevel, [{ Type: 'SOFTWARE' }]);
    } finally {
      await server.close();
    }
  });
});

describe('start-up refusals of the PKCS#11 options', { skip: hsmSkipReason() }, () => {
  let softHsm: SoftHsmDirectory;
  let token: SoftHsmToken;
  before(() => {
    ensureBuilt();
    softHsm = newSoftHsmDirectory({ inProcess: true });
    token = softHsm.newToken();
  });
  after(() => {
    killAllArcas();
    removeDataDirs();
    softHsm.remove();
  });

  async function startFailure(args: readonly string[], env: Record<string, string>): Promise<string> {
    const started = await spawnArca({ dataDir: newDataDir('arca-hsm-refused-'), credentials: TEST_CREDENTIALS, env, args }).then(
      (arca) => {
        arca.kill();
        return undefined;
      },
      (error: Error) => error.message,
    );
    assert.ok(started !== undefined, 'the server started');
    return started;
  }

  it('without ARCA_PKCS11_PIN the server does not start, and says why', async () => {
    const message = await startFailure(token.serverArgs, { SOFTHSM2_CONF: token.configPath });
    assert.match(message, /a PKCS#11 token needs its user PIN in the environment variable ARCA_PKCS11_PIN/);
  });

  it('a wrong PIN: the server does not start, names CKR_PIN_INCORRECT and never prints the PIN', async () => {
    const message = await startFailure(token.serverArgs, { SOFTHSM2_CONF: token.configPath, ARCA_PKCS11_PIN: '99887766' });
    assert.match(message, /CKR_PIN_INCORRECT/);
    assert.equal(message.includes('99887766'), false);
  });

  it('the PIN from --pkcs11-pin-file or the variable --pkcs11-pin-env names: the server starts; a wrong one in the file is refused', async () => {
    const secrets = newDataDir('arca-hsm-pin-');
    const pinFile = join(secrets, 'pin');
    writeFileSync(pinFile, `${token.pin}\n`, { mode: 0o600 });
    const fromFile = await spawnArca({
      dataDir: newDataDir('arca-hsm-pin-file-'),
      credentials: TEST_CREDENTIALS,
      env: { SOFTHSM2_CONF: token.configPath },
      args: [...token.serverArgs, '--pkcs11-pin-file', pinFile],
    });
    // An HSM key made through each: the token was logged in with that PIN.
    await v3Caller(fromFile)('CreateKey', { ProtectionLevel: 'HSM' });
    assert.deepEqual(await fromFile.stop(), { code: 0, signal: null }, fromFile.stderr());
    const fromVariable = await spawnArca({
      dataDir: newDataDir('arca-hsm-pin-env-'),
      credentials: TEST_CREDENTIALS,
      env: { SOFTHSM2_CONF: token.configPath, HSM_PIN: token.pin },
      args: [...token.serverArgs, '--pkcs11-pin-env', 'HSM_PIN'],
    });
    await v3Caller(fromVariable)('CreateKey', { ProtectionLevel: 'HSM' });
    assert.deepEqual(await fromVariable.stop(), { code: 0, signal: null }, fromVariable.stderr());
    const wrongFile = join(secrets, 'wrong');
    writeFileSync(wrongFile, '99887766\n', { mode: 0o600 });
    const message = await startFailure([...token.serverArgs, '--pkcs11-pin-file', wrongFile], { SOFTHSM2_CONF: token.configPath });
    assert.match(message, /CKR_PIN_INCORRECT/);
    assert.equal(message.includes('99887766'), false);
  });

  it('--pkcs11-module without --pkcs11-token-label is refused', async () => {
    const message = await startFailure(['--pkcs11-module', token.modulePath], token.environment);
    assert.match(message, /--pkcs11-module and --pkcs11-token-label go together/);
  });

  it('an unknown token label is refused, naming the tokens present', async () => {
    const message = await startFailure(['--pkcs11-module', token.modulePath, '--pkcs11-token-label', 'nope'], token.environment);
    assert.match(message, /no PKCS#11 token labelled "nope"/);
  });
});

describe('HSM keys through the SDKs against SoftHSM2', { skip: hsmSkipReason() }, () => {
  let softHsm: SoftHsmDirectory;
  let token: SoftHsmToken;
  let arca: ArcaProcess;
  let dataDir: string;
  let call: Call;

  async function start(extraArgs: readonly string[] = []): Promise<void> {
    arca = await spawnArca({ dataDir, credentials: TEST_CREDENTIALS, env: token.environment, args: [...token.serverArgs, ...extraArgs] });
    call = v3Caller(arca);
  }

  async function createKey(query: Record<string, unknown> = {}): Promise<any> {
    return (await call('CreateKey', { ProtectionLevel: 'HSM', ...query })).KeyMetadata;
  }

  async function encrypt(keyId: string, plaintext: string, context: Record<string, string> = CONTEXT): Promise<any> {
    return call('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: context });
  }

  async function decrypt(blob: string, context: Record<string, string> = CONTEXT): Promise<any> {
    return call('Decrypt', { CiphertextBlob: blob, EncryptionContext: context });
  }

  before(async () => {
    ensureBuilt();
    softHsm = newSoftHsmDirectory({ inProcess: true });
    token = softHsm.newToken();
    dataDir = newDataDir('arca-hsm-e2e-');
    await start();
  });

  after(() => {
    killAllArcas();
    removeDataDirs();
    softHsm.remove();
  });

  it('CreateKey HSM: AES-256 key with ProtectionLevel HSM; DescribeService lists HSM for AES only', async () => {
    const metadata = await createKey({ Description: 'in the token' });
    assert.equal(metadata.ProtectionLevel, 'HSM');
    assert.equal(metadata.KeySpec, 'Aliyun_AES_256');
    assert.equal(metadata.KeyState, 'Enabled');
    assert.equal((await call('DescribeKey', { KeyId: metadata.KeyId })).KeyMetadata.ProtectionLevel, 'HSM');
    const service = await call('DescribeService', {});
    assert.deepEqual(service.ProtectionLevels.ProtectionLevel, [{ Type: 'SOFTWARE' }, { Type: 'HSM' }]);
    const specs = Object.fromEntries(
      service.KeySpecs.KeySpec.map((s: any) => [s.Name, s.SupportedProtectionLevels.SupportedProtectionLevel]),
    );
    assert.deepEqual(specs, { Aliyun_AES_256: ['SOFTWARE', 'HSM'], Aliyun_SM4: ['SOFTWARE'] });
    const listed = await call('ListKeys', { Filters: JSON.stringify([{ Key: 'ProtectionLevel', Values: ['HSM'] }]), PageSize: 100 });
    assert.ok(listed.Keys.Key.some((k: any) => k.KeyId === metadata.KeyId));
  });

  it('an Aliyun_SM4 HSM key is refused with a clear 400: the token offers no SM4 mechanism', async () => {
    await expectV3Error(call('CreateKey', { ProtectionLevel: 'HSM', KeySpec: 'Aliyun_SM4' }), {
      code: 'Unsupported.ProtectionLevel',
      statusCode: 400,
      message:
        'The KeySpec Aliyun_SM4 is not available at the protection level HSM: the PKCS#11 token offers no mechanism Arca can use for it.',
    });
  });

  it('Encrypt and Decrypt with an HSM key; a wrong context and a flipped bit get the one opaque error', async () => {
    const { KeyId } = await createKey();
    const encrypted = await encrypt(KeyId, 'hsm secret ✓');
    assert.equal(encrypted.KeyId, KeyId);
    const { keyVersionId, sealed } = decodeCiphertextBlob(ciphertextFromBase64(encrypted.CiphertextBlob));
    assert.equal(keyVersionId, encrypted.KeyVersionId);
    assert.equal(sealed.length, 12 + Buffer.byteLength('hsm secret ✓') + 16, 'the same blob layout as software keys');
    const decrypted = await decrypt(encrypted.CiphertextBlob);
    assert.deepEqual([decrypted.Plaintext, decrypted.KeyId, decrypted.KeyVersionId], ['hsm secret ✓', KeyId, keyVersionId]);
    const opaque = { code: 'InvalidParameter', statusCode: 400, message: 'The specified parameter "CiphertextBlob" is not valid.' };
    await expectV3Error(decrypt(encrypted.CiphertextBlob, { purpose: 'other' }), opaque);
    const bytes = Buffer.from(encrypted.CiphertextBlob, 'base64');
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 1;
    await expectV3Error(decrypt(bytes.toString('base64')), opaque);
  });

  it('the npm 1.2.0 client encrypts and decrypts with an HSM key too', async () => {
    const { KeyId } = await createKey();
    const client = v1Client(arca);
    const encrypted = await client.encrypt(new M.EncryptRequest({ keyId: KeyId, plaintext: 'via v1' }));
    const decrypted = await client.decrypt(new M.DecryptRequest({ ciphertextBlob: encrypted.ciphertextBlob }));
    assert.equal(decrypted.plaintext, 'via v1');
    await expectV1Error(client.createKey(new M.CreateKeyRequest({ protectionLevel: 'HSM', keySpec: 'Aliyun_SM4' })), {
      code: 'Unsupported.ProtectionLevel',
      statusCode: 400,
    });
  });

  it('GenerateDataKey and GenerateDataKeyWithoutPlaintext under an HSM key decrypt to the data key', async () => {
    const { KeyId } = await createKey();
    const withPlaintext = await call('GenerateDataKey', { KeyId, NumberOfBytes: 32, EncryptionContext: CONTEXT });
    assert.equal(Buffer.from(withPlaintext.Plaintext, 'base64').length, 32);
    assert.equal((await decrypt(withPlaintext.CiphertextBlob)).Plaintext, withPlaintext.Plaintext);
    const without = await call('GenerateDataKeyWithoutPlaintext', { KeyId, KeySpec: 'AES_128', EncryptionContext: CONTEXT });
    assert.equal(Buffer.from((await decrypt(without.CiphertextBlob)).Plaintext, 'base64').length, 16);
  });

  it('ReEncrypt moves a ciphertext from an HSM key to a software key and back', async () => {
    const hsm = (await createKey()).KeyId;
    const software = (await call('CreateKey', {})).KeyMetadata.KeyId;
    const fromHsm = await encrypt(hsm, 'travelling');
    const toSoftware = await call('ReEncrypt', {
      CiphertextBlob: fromHsm.CiphertextBlob,
      SourceEncryptionContext: CONTEXT,
      DestinationKeyId: software,
      DestinationEncryptionContext: { stage: 'software' },
    });
    assert.equal(toSoftware.KeyId, software);
    const backToHsm = await call('ReEncrypt', {
      CiphertextBlob: toSoftware.CiphertextBlob,
      SourceEncryptionContext: { stage: 'software' },
      DestinationKeyId: hsm,
      DestinationEncryptionContext: { stage: 'hsm' },
    });
    assert.equal(backToHsm.KeyId, hsm);
    assert.equal((await decrypt(backToHsm.CiphertextBlob, { stage: 'hsm' })).Plaintext, 'travelling');
  });

  it('rotation: CreateKeyVersion on an HSM key; new data uses the new version, old ciphertexts keep decrypting', async () => {
    const { KeyId } = await createKey();
    const before = await encrypt(KeyId, 'old version');
    const { KeyVersionId } = (await call('CreateKeyVersion', { KeyId })).KeyVersion;
    const afterRotation = await encrypt(KeyId, 'new version');
    assert.equal(afterRotation.KeyVersionId, KeyVersionId);
    assert.notEqual(before.KeyVersionId, KeyVersionId);
    assert.equal((await decrypt(before.CiphertextBlob)).Plaintext, 'old version');
    assert.equal((await decrypt(afterRotation.CiphertextBlob)).Plaintext, 'new version');
    assert.equal((await call('ListKeyVersions', { KeyId })).TotalCount, 2);
  });

  it('life cycle: a Disabled HSM key refuses use, enabled again it works; deletion can be scheduled and cancelled', async () => {
    const { KeyId } = await createKey();
    const sealed = await encrypt(KeyId, 'life');
    await call('DisableKey', { KeyId });
    await expectV3Error(encrypt(KeyId, 'x'), { code: 'Rejected.Disabled', statusCode: 409 });
    await expectV3Error(decrypt(sealed.CiphertextBlob), { code: 'Rejected.Disabled', statusCode: 409 });
    await call('EnableKey', { KeyId });
    assert.equal((await decrypt(sealed.CiphertextBlob)).Plaintext, 'life');
    await call('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 7 });
    assert.equal((await call('DescribeKey', { KeyId })).KeyMetadata.KeyState, 'PendingDeletion');
    await expectV3Error(encrypt(KeyId, 'x'), { code: 'Rejected.PendingDeletion', statusCode: 409 });
    await call('CancelKeyDeletion', { KeyId });
    assert.equal((await decrypt(sealed.CiphertextBlob)).Plaintext, 'life');
  });

  it('every secret key object in the token is sensitive and never extractable (seen from another process)', () => {
    const objects = listSecretKeys(token);
    assert.ok(objects.length >= 1, 'the wrapping key at least');
    for (const object of objects) assert.deepEqual(object, { ...object, onToken: true, sensitive: true, extractable: false });
  });

  it('the PIN is in no log line, and not on the command line', () => {
    const output = `${arca.lines.join('\n')}\n${arca.stderr()}`;
    assert.equal(output.includes(token.pin), false);
    assert.equal(readFileSync(`/proc/${arca.child.pid}/cmdline`, 'utf8').includes(token.pin), false);
  });

  it('after a restart every HSM ciphertext still decrypts, and the data directory holds no HSM key in the clear', async () => {
    const { KeyId } = await createKey();
    const sealed = await encrypt(KeyId, 'across a restart, first version');
    await call('CreateKeyVersion', { KeyId });
    const sealedAfterRotation = await encrypt(KeyId, 'across a restart, second version');
    await arca.stop();
    // The graceful stop checkpoints the write-ahead log: the database file is all there is.
    const db = new Database(join(dataDir, 'arca.db'), { readonly: true });
    const kinds = db.prepare('SELECT protection_kind AS kind, COUNT(*) AS n FROM key_versions GROUP BY protection_kind').all();
    db.close();
    assert.ok(
      kinds.some((row: any) => row.kind === 'pkcs11-wrapped' && row.n >= 2),
      JSON.stringify(kinds),
    );
    assertNoWindowIsTheKey(dataDir, sealed.CiphertextBlob, 'across a restart, first version');
    assertNoWindowIsTheKey(dataDir, sealedAfterRotation.CiphertextBlob, 'across a restart, second version');
    await start();
    assert.equal((await decrypt(sealed.CiphertextBlob)).Plaintext, 'across a restart, first version');
    assert.equal((await decrypt(sealedAfterRotation.CiphertextBlob)).Plaintext, 'across a restart, second version');
  });

  it('the token store disappears: HSM requests get 503 ServiceUnavailableTemporary, the server lives on; back in place, HSM keys work again', async () => {
    const hsm = (await createKey()).KeyId;
    const software = (await call('CreateKey', {})).KeyMetadata.KeyId;
    const sealed = await encrypt(hsm, 'survives');
    const saved = join(softHsm.tokenDir, '..', 'saved-tokens');
    cpSync(softHsm.tokenDir, saved, { recursive: true });
    rmSync(softHsm.tokenDir, { recursive: true, force: true });
    try {
      const refused = await callAcs3(arca, TEST_CREDENTIALS, 'CreateKey', { ProtectionLevel: 'HSM' });
      assert.equal(refused.status, 503, refused.text);
      assert.equal(refused.json.Code, 'ServiceUnavailableTemporary');
      assert.equal(refused.json.Message, 'Service Unavailable Temporary.');
      await sleep(1_100);
      const decryptRefused = await callAcs3(arca, TEST_CREDENTIALS, 'Decrypt', {
        CiphertextBlob: sealed.CiphertextBlob,
        EncryptionContext: JSON.stringify(CONTEXT),
      });
      assert.equal(decryptRefused.status, 503, decryptRefused.text);
      assert.equal((await encrypt(software, 'software keys are not affected')).KeyId, software);
      assert.equal(arca.child.exitCode, null, 'the server is still running');
    } finally {
      cpSync(saved, softHsm.tokenDir, { recursive: true });
      rmSync(saved, { recursive: true, force: true });
    }
    await sleep(1_100);
    assert.equal((await decrypt(sealed.CiphertextBlob)).Plaintext, 'survives');
    assert.equal((await encrypt(hsm, 'again')).KeyId, hsm);
    assert.ok(
      arca.lines.some((line) => line.includes('PKCS#11 token unavailable')),
      'the cause is logged',
    );
  });
});

describe('the root key in the token (--pkcs11-root-key-label)', { skip: hsmSkipReason() }, () => {
  let softHsm: SoftHsmDirectory;
  let token: SoftHsmToken;

  before(() => {
    ensureBuilt();
    softHsm = newSoftHsmDirectory({ inProcess: true });
    token = softHsm.newToken();
  });
  after(() => {
    killAllArcas();
    removeDataDirs();
    softHsm.remove();
  });

  it('software keys are sealed by a token key: no root.key file, and the data opens again after a restart', async () => {
    const dataDir = newDataDir('arca-hsm-root-');
    const args = [...token.serverArgs, '--pkcs11-root-key-label', 'arca-root'];
    let arca = await spawnArca({ dataDir, credentials: TEST_CREDENTIALS, env: token.environment, args });
    let call = v3Caller(arca);
    const { KeyId } = (await call('CreateKey', {})).KeyMetadata;
    const sealed = await call('Encrypt', { KeyId, Plaintext: 'sealed under a token root key' });
    assert.equal(existsSync(join(dataDir, 'root.key')), false);
    assert.equal(existsSync(`${dataDir}.root.key`), false);
    // The audit trail's checkpoint signing key (ADR 28) is a file even here: it seals nothing,
    // and keeping it in the token is not done yet.
    const besideTheData = new Set(['admin-access-key.json', 'audit-signing.key', 'audit-signing.pub']);
    assert.deepEqual(
      readdirSync(dataDir).filter((name) => name.includes('key') && !besideTheData.has(name)),
      [],
    );
    const roots = listSecretKeys(token).filter((object) => object.label === 'arca-root');
    assert.deepEqual(roots, [{ label: 'arca-root', onToken: true, sensitive: true, extractable: false }]);
    await arca.stop();
    arca = await spawnArca({ dataDir, credentials: TEST_CREDENTIALS, env: token.environment, args });
    call = v3Caller(arca);
    assert.equal((await call('Decrypt', { CiphertextBlob: sealed.CiphertextBlob })).Plaintext, 'sealed under a token root key');
    await arca.stop();
    // The same data directory with a file root key instead: refused at start, clearly, and no file
    // root key is made up for it (ADR 34).
    const refused = await spawnArca({ dataDir, credentials: TEST_CREDENTIALS, env: token.environment, args: token.serverArgs }).then(
      () => undefined,
      (error: Error) => error,
    );
    assert.match(String(refused?.message), /there is no root key file at .*\.root\.key, and .* holds data sealed under a root key/);
    assert.equal(existsSync(`${dataDir}.root.key`), false);
    // With a file root key given anyway, the root-key check refuses it.
    const other = await spawnArca({
      dataDir,
      credentials: TEST_CREDENTIALS,
      env: { ...token.environment, ARCA_ROOT_KEY: randomBytes(32).toString('base64') },
      args: token.serverArgs,
    }).then(
      () => undefined,
      (error: Error) => error,
    );
    assert.match(String(other?.message), /the root key does not match this data directory/);
  });
});

/**
 * Tries every 32-byte window of every file in the data directory as the AES-256 key of `blob`,
 * whose plaintext starts with `knownPlaintext` (16 bytes or more): were the version's key stored
 * in the clear anywhere, one window would give GCM's first keystream block,
 * AES_K(iv ‖ 00000002) = ciphertext[0..16) xor plaintext[0..16).
 */
function assertNoWindowIsTheKey(dataDir: string, blob: string, knownPlaintext: string): void {
  const { sealed } = decodeCiphertextBlob(ciphertextFromBase64(blob));
  const counterBlock = Buffer.concat([sealed.subarray(0, 12), Buffer.of(0, 0, 0, 2)]);
  const known = Buffer.from(knownPlaintext, 'utf8').subarray(0, 16);
  assert.equal(known.length, 16, 'a known plaintext of 16 bytes or more');
  const keystream = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) keystream[i] = (sealed[12 + i] ?? 0) ^ (known[i] ?? 0);
  let windows = 0;
  for (const name of readdirSync(dataDir)) {
    const bytes = readFileSync(join(dataDir, name));
    for (let offset = 0; offset + 32 <= bytes.length; offset++) {
      const cipher = createCipheriv('aes-256-ecb', bytes.subarray(offset, offset + 32), null).setAutoPadding(false);
      if (cipher.update(counterBlock).equals(keystream)) assert.fail(`${name} holds the key at offset ${offset}`);
      windows += 1;
    }
  }
  assert.ok(windows > 1000, 'the data directory was read');
}
