// Issue 16: with the token's user PIN and a copy of arca.db, can an HSM key version's value be
// got out of the token? The test tries it, as such a person would, through the PKCS#11 library
// (test/support/pin-holder.ts), against the compiled server's data directory:
// - a data directory made now: every attack is refused by the token;
// - one made before issue 16 (its wrapping key had no unwrap template and could be changed): the
//   attack reads the key and decrypts offline; the first start since wraps its versions again,
//   after which the stored rows resist it, and old ciphertexts keep decrypting.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pkcs11js from 'pkcs11js';
import { ciphertextFromBase64 } from '../../src/api/base64.js';
import { openStore } from '../../src/bootstrap/store-factory.js';
import { createAes256Gcm } from '../../src/crypto/aes-gcm.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { decodeCiphertextBlob, encodeCiphertextBlob } from '../../src/domain/ciphertext-blob.js';
import { blobAdditionalData } from '../../src/domain/encryption-context.js';
import { ProtectionKind } from '../../src/domain/key.js';
import { ProtectionLevel } from '../../src/domain/key-spec.js';
import { decodeWrappedMaterial } from '../../src/protection/pkcs11/wrapped-material.js';
import { makeKey } from '../keystore/fixtures.js';
import { ensureBuilt, killAllArcas, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { v3Caller } from '../support/clients.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';
import { TEST_CREDENTIALS } from '../support/environment.js';
import {
  attackStoredVersion,
  createLegacyWrappingKey,
  decryptOffline,
  destroyKeysById,
  keyFlags,
  legacyWrappedMaterial,
  openPinSession,
  storedHsmMaterial,
  type AttackOutcome,
  type PinSession,
} from '../support/pin-holder.js';
import { hsmSkipReason, newSoftHsmDirectory, type SoftHsmDirectory, type SoftHsmToken } from '../support/softhsm.js';

const ck = pkcs11js;
const CONTEXT = { purpose: 'issue-16' };
const PLAINTEXT = 'the secret an HSM key protects';

/** What the token answers each attack with, when it refuses all of them (SoftHSM2 2.6.1). */
const REFUSED_EVERYWHERE = [
  'CKR_TEMPLATE_INCONSISTENT',
  'CKR_TEMPLATE_INCONSISTENT',
  'CKR_KEY_UNEXTRACTABLE',
  'CKR_ACTION_PROHIBITED',
  'CKR_ACTION_PROHIBITED',
];

function refusals(outcomes: readonly AttackOutcome[]): (string | undefined)[] {
  for (const { attack, recovered } of outcomes) assert.equal(recovered, undefined, `"${attack}" got the version key out of the token`);
  return outcomes.map((outcome) => outcome.refusedWith);
}

/** Each attack's result: 'recovered' when it got `value` out, else the token's refusal. */
function results(outcomes: readonly AttackOutcome[], value: Buffer): (string | undefined)[] {
  return outcomes.map((outcome) => (outcome.recovered?.equals(value) ? 'recovered' : outcome.refusedWith));
}

/** A copy of the data directory's database, as someone who took it would have it (the server stopped). */
function copyOfDatabase(dataDir: string): string {
  const copy = join(dataDir, `copy-${randomBytes(4).toString('hex')}.db`);
  copyFileSync(join(dataDir, 'arca.db'), copy);
  return copy;
}

describe('an HSM key version cannot be got out of the token with the PIN and a copy of arca.db', { skip: hsmSkipReason() }, () => {
  let softHsm: SoftHsmDirectory;
  let tokens: SoftHsmToken[];
  let pin: PinSession | undefined;

  before(() => {
    ensureBuilt();
    softHsm = newSoftHsmDirectory({ inProcess: true });
    // Both before the library is first initialised in this process: it sees the tokens present then.
    tokens = [softHsm.newToken(), softHsm.newToken()];
  });
  after(() => {
    pin?.close();
    pin = undefined;
    killAllArcas();
    removeDataDirs();
    softHsm.remove();
  });

  it('a data directory made now: every attack on every stored version is refused by the token', async () => {
    const token = tokens[0] as SoftHsmToken;
    const dataDir = newDataDir('arca-hsm-extraction-');
    const arca = await spawnArca({ dataDir, credentials: TEST_CREDENTIALS, env: token.environment, args: token.serverArgs });
    const call = v3Caller(arca);
    const { KeyId } = (await call('CreateKey', { ProtectionLevel: 'HSM' })).KeyMetadata;
    const first = await call('Encrypt', { KeyId, Plaintext: PLAINTEXT, EncryptionContext: CONTEXT });
    await call('CreateKeyVersion', { KeyId });
    const second = await call('Encrypt', { KeyId, Plaintext: PLAINTEXT, EncryptionContext: CONTEXT });
    await arca.stop();

    const stored = storedHsmMaterial(copyOfDatabase(dataDir));
    assert.deepEqual([...stored.keys()].sort(), [first.KeyVersionId, second.KeyVersionId].sort());
    const holder = (pin = openPinSession(token));
    for (const [, sealed] of stored) {
      assert.deepEqual(refusals(attackStoredVersion(holder, sealed)), REFUSED_EVERYWHERE);
      const flags = keyFlags(holder, decodeWrappedMaterial(sealed).wrappingKeyId, [
        ck.CKA_SENSITIVE,
        ck.CKA_EXTRACTABLE,
        ck.CKA_MODIFIABLE,
        ck.CKA_COPYABLE,
        ck.CKA_DECRYPT,
      ]);
      assert.deepEqual(Object.fromEntries(flags), {
        [ck.CKA_SENSITIVE]: true,
        [ck.CKA_EXTRACTABLE]: false,
        [ck.CKA_MODIFIABLE]: false,
        [ck.CKA_COPYABLE]: false,
        [ck.CKA_DECRYPT]: false,
      });
    }
    holder.close();
    pin = undefined;
  });

  it('a data directory from before issue 16: the attack reads the key; the next start wraps the versions again and the rows resist it, old ciphertexts still decrypting', async () => {
    const token = tokens[1] as SoftHsmToken;
    const dataDir = newDataDir('arca-hsm-legacy-');
    const holder = (pin = openPinSession(token));
    // As the code before issue 16 left a data directory: a legacy wrapping key, a version it wrapped.
    const legacyKeyId = createLegacyWrappingKey(holder);
    const value = randomBytes(32);
    const key = makeKey({ protectionLevel: ProtectionLevel.Hsm, primaryKeyVersionId: randomUUID() });
    const material = {
      kind: ProtectionKind.Pkcs11Wrapped,
      sealed: legacyWrappedMaterial(holder, legacyKeyId, key.primaryKeyVersionId, value),
    };
    const store = await openStore({ kind: 'sqlite' }, dataDir);
    await store.createKey(key, {
      keyId: key.keyId,
      keyVersionId: key.primaryKeyVersionId,
      creationDate: key.creationDate,
      material,
      materialCommitment: null,
    });
    await store.close();
    const oldSealed = await createAes256Gcm(SecretBytes.copyOf(value)).encrypt(
      Buffer.from(PLAINTEXT),
      blobAdditionalData(key.primaryKeyVersionId, new Map(Object.entries(CONTEXT))),
    );
    const oldBlob = encodeCiphertextBlob(key.primaryKeyVersionId, oldSealed).toString('base64');

    // Before: the attacks work (so they are real ones), and the key decrypts the ciphertext offline.
    const before = attackStoredVersion(holder, material.sealed);
    assert.deepEqual(results(before, value), ['recovered', 'recovered', 'CKR_KEY_UNEXTRACTABLE', 'recovered', 'recovered']);
    assert.equal(decryptOffline(value, decodeCiphertextBlob(ciphertextFromBase64(oldBlob)).sealed), PLAINTEXT);

    // The first start since issue 16 makes a guarded key and wraps the version again with it.
    let arca: ArcaProcess = await spawnArca({ dataDir, credentials: TEST_CREDENTIALS, env: token.environment, args: token.serverArgs });
    let call = v3Caller(arca);
    assert.ok(arca.lines.some((line) => line.includes('legacy HSM wrapping keys') && line.includes(legacyKeyId.toString('hex'))));
    assert.ok(arca.lines.some((line) => line.includes('wrapped HSM key versions again') && line.includes('"rewrapped":1')));
    assert.equal((await call('Decrypt', { CiphertextBlob: oldBlob, EncryptionContext: CONTEXT })).Plaintext, PLAINTEXT);
    const fresh = await call('Encrypt', { KeyId: key.keyId, Plaintext: PLAINTEXT, EncryptionContext: CONTEXT });
    assert.equal(
      decryptOffline(value, decodeCiphertextBlob(ciphertextFromBase64(fresh.CiphertextBlob)).sealed),
      PLAINTEXT,
      'the version keeps its key',
    );
    await arca.stop();

    const rewrapped = storedHsmMaterial(copyOfDatabase(dataDir)).get(key.primaryKeyVersionId);
    assert.ok(rewrapped);
    assert.notDeepEqual(decodeWrappedMaterial(rewrapped).wrappingKeyId, legacyKeyId);
    assert.deepEqual(refusals(attackStoredVersion(holder, rewrapped)), REFUSED_EVERYWHERE);
    // An older copy of arca.db stays open to the attack while the legacy key is in the token...
    assert.equal(results(attackStoredVersion(holder, material.sealed), value)[0], 'recovered');
    // ...and no longer once the operator destroyed it; the data directory does not need it.
    destroyKeysById(holder, legacyKeyId);
    assert.throws(() => attackStoredVersion(holder, material.sealed), /no key with CKA_ID/);
    holder.close();
    pin = undefined;
    arca = await spawnArca({ dataDir, credentials: TEST_CREDENTIALS, env: token.environment, args: token.serverArgs });
    call = v3Caller(arca);
    assert.equal(
      arca.lines.some((line) => line.includes('legacy HSM wrapping keys')),
      false,
    );
    assert.equal((await call('Decrypt', { CiphertextBlob: oldBlob, EncryptionContext: CONTEXT })).Plaintext, PLAINTEXT);
    assert.equal((await call('Decrypt', { CiphertextBlob: fresh.CiphertextBlob, EncryptionContext: CONTEXT })).Plaintext, PLAINTEXT);
    await arca.stop();
  });
});
