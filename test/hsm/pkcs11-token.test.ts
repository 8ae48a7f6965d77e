// The PKCS#11 adapter against a real SoftHSM2 token, in this process: what it leaves in the
// token, how it survives a token that loses its sessions or disappears, the root key held in
// the token, and the checks that keep malformed parameters away from the native binding.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { alibabaErrorOf } from '../../src/api/alibaba-errors.js';
import { AeadAuthenticationError, GCM_IV_LENGTH, GCM_TAG_LENGTH } from '../../src/crypto/aead.js';
import { KmsError } from '../../src/domain/errors.js';
import { KeySpec } from '../../src/domain/key-spec.js';
import { ck } from '../../src/protection/pkcs11/binding.js';
import { AES_KEY_GEN, aesGcmMechanism, MAX_GCM_ADDITIONAL_DATA_BYTES } from '../../src/protection/pkcs11/mechanisms.js';
import { usableVersionKeyTemplate } from '../../src/protection/pkcs11/templates.js';
import { Pkcs11KeyProtector } from '../../src/protection/pkcs11/pkcs11-key-protector.js';
import { Pkcs11Token } from '../../src/protection/pkcs11/pkcs11-token.js';
import { TokenRootKey } from '../../src/protection/pkcs11/token-root-key.js';
import { SealPurpose } from '../../src/domain/seal-purposes.js';
import { hsmSkipReason, newSoftHsmDirectory, type SoftHsmDirectory, type SoftHsmToken } from '../support/softhsm.js';
import { closeAllSessions, listSecretKeys } from '../support/token-inspector.js';

const AAD = Buffer.from('aad');
const silent = pino({ level: 'silent' });

function isServiceUnavailable(error: unknown): boolean {
  return error instanceof KmsError && error.kind === 'Unavailable' && alibabaErrorOf(error).httpStatus === 503;
}

describe('GCM mechanism parameters are checked before they reach the binding', () => {
  it('a 12-byte IV and bounded additional data make CKM_AES_GCM with 96-bit IV and 128-bit tag', () => {
    const mechanism = aesGcmMechanism(Buffer.alloc(GCM_IV_LENGTH), AAD);
    assert.equal(mechanism.mechanism, ck.CKM_AES_GCM);
    assert.deepEqual(mechanism.parameter, { type: ck.CK_PARAMS_GCM, iv: Buffer.alloc(12), ivBits: 96, aad: AAD, tagBits: 128 });
  });

  for (const length of [0, 8, 11, 13, 16]) {
    it(`an IV of ${length} bytes is refused`, () => {
      assert.throws(() => aesGcmMechanism(Buffer.alloc(length), AAD), RangeError);
    });
  }

  it('additional data over the bound is refused', () => {
    assert.throws(() => aesGcmMechanism(Buffer.alloc(GCM_IV_LENGTH), Buffer.alloc(MAX_GCM_ADDITIONAL_DATA_BYTES + 1)), RangeError);
  });

  it('a value that is not bytes is refused', () => {
    assert.throws(() => aesGcmMechanism('twelve bytes' as unknown as Uint8Array, AAD), RangeError);
  });
});

describe('Pkcs11Token and Pkcs11KeyProtector on SoftHSM2', { skip: hsmSkipReason() }, () => {
  let softHsm: SoftHsmDirectory;
  let tokenInfo: SoftHsmToken;
  let token: Pkcs11Token | undefined;

  before(() => {
    softHsm = newSoftHsmDirectory({ inProcess: true });
    tokenInfo = softHsm.newToken();
  });
  after(async () => {
    await token?.close();
    softHsm.remove();
  });

  // These run before any connection stays open: a failed open finalizes the library.
  it('a wrong PIN fails the start with the PKCS#11 reason and without the PIN', () => {
    const pin = 'wrong-pin-4242';
    assert.throws(
      () => Pkcs11Token.open({ modulePath: tokenInfo.modulePath, tokenLabel: tokenInfo.tokenLabel, pin }, silent),
      (error: Error) => error.message.includes('CKR_PIN_INCORRECT') && !error.message.includes(pin),
    );
  });

  it('an unknown token label fails the start naming the tokens present', () => {
    assert.throws(
      () => Pkcs11Token.open({ modulePath: tokenInfo.modulePath, tokenLabel: 'no-such-token', pin: tokenInfo.pin }, silent),
      (error: Error) => error.message.includes('no PKCS#11 token labelled "no-such-token"') && error.message.includes(tokenInfo.tokenLabel),
    );
  });

  it('a module path that is no PKCS#11 library fails the start clearly', () => {
    assert.throws(
      () => Pkcs11Token.open({ modulePath: '/nonexistent/libpkcs11.so', tokenLabel: tokenInfo.tokenLabel, pin: tokenInfo.pin }, silent),
      /cannot load the PKCS#11 module \/nonexistent\/libpkcs11\.so/,
    );
  });

  describe('connected', () => {
    let protector: Pkcs11KeyProtector;
    before(async () => {
      token = Pkcs11Token.open(
        { modulePath: tokenInfo.modulePath, tokenLabel: tokenInfo.tokenLabel, pin: tokenInfo.pin, reconnectIntervalMs: 50 },
        silent,
      );
      protector = await Pkcs11KeyProtector.create(token, silent, { maxUnwrappedKeys: 16 });
    });

    it('SoftHSM2 2.6 offers the mechanisms HSM keys use, and no SM4 mechanism', () => {
      const names = token?.mechanismNames() ?? [];
      for (const needed of ['CKM_AES_KEY_GEN', 'CKM_AES_KEY_WRAP_PAD', 'CKM_AES_GCM', 'CKM_RSA_PKCS_OAEP'])
        assert.ok(names.includes(needed), needed);
      assert.equal(names.filter((name) => /SM4/i.test(name)).length, 0);
      assert.equal(protector.supportsKeySpec(KeySpec.Sm4), false);
    });

    it('every secret key object left in the token, token or session object, is sensitive and never extractable', async () => {
      const aeads = [];
      for (let i = 0; i < 5; i++) {
        const id = randomUUID();
        aeads.push(await protector.open(KeySpec.Aes256, id, await protector.generate(KeySpec.Aes256, id)));
      }
      for (const aead of aeads) await aead.decrypt(await aead.encrypt(Buffer.from('x'), AAD), AAD);
      const objects = listSecretKeys(tokenInfo);
      assert.ok(
        objects.some((o) => o.onToken && o.label === 'arca-wrapping-key'),
        'the wrapping key is a token object',
      );
      assert.ok(objects.filter((o) => !o.onToken).length >= 5, 'the unwrapped versions are session objects');
      for (const object of objects) assert.deepEqual({ ...object, sensitive: true, extractable: false }, object, `object ${object.label}`);
    });

    it('unwrapped keys are bounded: the oldest are destroyed, and their versions unwrap again when used', async () => {
      const versions = [];
      for (let i = 0; i < 40; i++) {
        const id = randomUUID();
        const aead = await protector.open(KeySpec.Aes256, id, await protector.generate(KeySpec.Aes256, id));
        versions.push({ aead, sealed: await aead.encrypt(Buffer.from(`v${i}`), AAD) });
      }
      assert.ok(listSecretKeys(tokenInfo).filter((o) => !o.onToken).length <= 16, 'at most maxUnwrappedKeys session objects');
      for (const [i, { aead, sealed }] of versions.entries()) assert.deepEqual(await aead.decrypt(sealed, AAD), Buffer.from(`v${i}`));
    });

    it('sessions closed under Arca: the next use answers 503 ServiceUnavailableTemporary, then the connection is rebuilt and old ciphertexts decrypt', async () => {
      const id = randomUUID();
      const aead = await protector.open(KeySpec.Aes256, id, await protector.generate(KeySpec.Aes256, id));
      const sealed = await aead.encrypt(Buffer.from('before'), AAD);
      closeAllSessions(tokenInfo);
      await assert.rejects(aead.encrypt(Buffer.from('during'), AAD), isServiceUnavailable);
      await sleep(100);
      assert.deepEqual(await aead.decrypt(sealed, AAD), Buffer.from('before'));
      assert.deepEqual(await aead.decrypt(await aead.encrypt(Buffer.from('after'), AAD), AAD), Buffer.from('after'));
    });

    it('a session left with an operation active by an unexpected error is replaced: the next operations succeed', async () => {
      assert.ok(token);
      const connected = token;
      const key = await connected.runAsOwner('make a test key', (owner) =>
        owner.generateKey(AES_KEY_GEN, [...usableVersionKeyTemplate(), { type: ck.CKA_VALUE_LEN, value: 32 }]),
      );
      const encrypt = (outLength: number): Promise<Buffer> =>
        connected.run('test encrypt', (session) =>
          session.encrypt(aesGcmMechanism(Buffer.alloc(12, 7), AAD), key, Buffer.alloc(32, 1), outLength),
        );
      // Too small an output buffer: CKR_BUFFER_TOO_SMALL, which leaves the operation active.
      await assert.rejects(encrypt(8), /CKR_BUFFER_TOO_SMALL/);
      for (let i = 0; i < 20; i++) assert.equal((await encrypt(48)).length, 48);
    });

    it('a bad tag after a rebuild is still the opaque AeadAuthenticationError, not a 503', async () => {
      const id = randomUUID();
      const aead = await protector.open(KeySpec.Aes256, id, await protector.generate(KeySpec.Aes256, id));
      const sealed = await aead.encrypt(Buffer.from('x'), AAD);
      sealed[sealed.length - 1] = (sealed[sealed.length - 1] ?? 0) ^ 1;
      await assert.rejects(aead.decrypt(sealed, AAD), AeadAuthenticationError);
    });

    it('the token store deleted: 503 while it is gone, no crash; back in place: everything works again', async () => {
      const id = randomUUID();
      const material = await protector.generate(KeySpec.Aes256, id);
      const aead = await protector.open(KeySpec.Aes256, id, material);
      const sealed = await aead.encrypt(Buffer.from('kept'), AAD);
      const saved = join(softHsm.tokenDir, '..', 'saved-tokens');
      cpSync(softHsm.tokenDir, saved, { recursive: true });
      rmSync(softHsm.tokenDir, { recursive: true, force: true });
      try {
        // Creating a version needs the wrapping key, a token object: the token says it is gone.
        await assert.rejects(protector.generate(KeySpec.Aes256, randomUUID()), isServiceUnavailable);
        await sleep(100);
        await assert.rejects(aead.decrypt(sealed, AAD), isServiceUnavailable);
        await assert.rejects(protector.open(KeySpec.Aes256, randomUUID(), material), isServiceUnavailable);
      } finally {
        cpSync(saved, softHsm.tokenDir, { recursive: true });
        rmSync(saved, { recursive: true, force: true });
      }
      await sleep(100);
      assert.deepEqual(await aead.decrypt(sealed, AAD), Buffer.from('kept'));
      const next = randomUUID();
      const reopened = await protector.open(KeySpec.Aes256, next, await protector.generate(KeySpec.Aes256, next));
      assert.deepEqual(await reopened.decrypt(await reopened.encrypt(Buffer.from('new'), AAD), AAD), Buffer.from('new'));
    });

    describe('the root key in the token', () => {
      it('is created once, sensitive and never extractable, and found again by its label', async () => {
        assert.ok(token);
        const first = await TokenRootKey.findOrCreate(token, 'arca-root-test', silent);
        const second = await TokenRootKey.findOrCreate(token, 'arca-root-test', silent);
        assert.deepEqual([first.created, second.created], [true, false]);
        const sealed = await first.rootKey.seal(Buffer.from('access key secret'), SealPurpose.AccessKeySecret, 'LTAIabc');
        assert.deepEqual(await second.rootKey.open(sealed, SealPurpose.AccessKeySecret, 'LTAIabc'), Buffer.from('access key secret'));
        const roots = listSecretKeys(tokenInfo).filter((o) => o.label === 'arca-root-test');
        assert.deepEqual(roots, [{ label: 'arca-root-test', onToken: true, sensitive: true, extractable: false }]);
      });

      it('seals in the file root key layout 0x01 ‖ iv(12) ‖ ciphertext ‖ tag(16), bound to purpose and record', async () => {
        assert.ok(token);
        const { rootKey } = await TokenRootKey.findOrCreate(token, 'arca-root-test', silent);
        const sealed = await rootKey.seal(Buffer.from('12345'), SealPurpose.KeyMaterial, 'version-a');
        assert.equal(sealed[0], 1);
        assert.equal(sealed.length, 1 + GCM_IV_LENGTH + 5 + GCM_TAG_LENGTH);
        await assert.rejects(rootKey.open(sealed, SealPurpose.KeyMaterial, 'version-b'), AeadAuthenticationError);
        await assert.rejects(rootKey.open(sealed, SealPurpose.AccessKeySecret, 'version-a'), AeadAuthenticationError);
        await assert.rejects(rootKey.open(sealed.subarray(0, 20), SealPurpose.KeyMaterial, 'version-a'), AeadAuthenticationError);
        assert.deepEqual(await rootKey.open(sealed, SealPurpose.KeyMaterial, 'version-a'), Buffer.from('12345'));
        assert.deepEqual(await rootKey.open(await rootKey.seal(Buffer.alloc(0), 'p', 'b'), 'p', 'b'), Buffer.alloc(0));
      });
    });
  });
});
