// The Aead-level tests every GCM Aead must pass, whatever its block cipher.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { createAead } from '../../src/crypto/aead-factory.js';
import { type Aead, type AeadAlgorithm, AeadAuthenticationError } from '../../src/crypto/aead.js';
import type { GcmWithIv } from '../../src/crypto/gcm-sealed.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import * as wycheproof from './wycheproof.js';

export interface AeadUnderTest {
  readonly algorithm: AeadAlgorithm;
  readonly keyLengthInBytes: number;
  readonly create: (key: SecretBytes) => Aead;
  /** The same cipher with a caller-chosen IV, against which the sealed layout is checked. */
  readonly encryptWithIv: GcmWithIv['encrypt'];
  readonly decryptWithIv: GcmWithIv['decrypt'];
  /** Its Wycheproof file: every case with this key length, a 96-bit IV and a 128-bit tag is opened. */
  readonly vectors: wycheproof.AeadFile;
}

const ROUND_TRIP_LENGTHS = [...Array.from({ length: 71 }, (_, i) => i), 4096, 4097, 65_539, 1 << 20];

/**
 * Registers, in the enclosing `describe`, the tests of the Aead contract (src/crypto/aead.ts) and
 * of its sealed layout iv(12) ‖ ciphertext ‖ tag(16) for `subject`.
 */
export function itBehavesAsAGcmAead(subject: AeadUnderTest): void {
  const { algorithm, keyLengthInBytes, create } = subject;
  const key = SecretBytes.random(keyLengthInBytes);
  const aead = create(key);
  const plaintext = Buffer.from('the quick brown fox jumps over the lazy dog');
  const aad = Buffer.from('additional data');

  it(`says it is ${algorithm}`, () => {
    assert.equal(aead.algorithm, algorithm);
  });

  it('round-trips random messages of every length from 0 to 70 bytes and of 4 KiB, 4 KiB + 1, 64 KiB + 3 and 1 MiB', async () => {
    for (const length of ROUND_TRIP_LENGTHS) {
      const message = randomBytes(length);
      const messageAad = randomBytes(length % 33);
      const sealed = await aead.encrypt(message, messageAad);
      assert.equal(sealed.length, 12 + length + 16);
      assert.deepEqual(await aead.decrypt(sealed, messageAad), message, `${length} bytes`);
    }
  });

  it('lays out the sealed bytes as iv(12) ‖ ciphertext ‖ tag(16)', async () => {
    const sealed = await aead.encrypt(plaintext, aad);
    const iv = sealed.subarray(0, 12);
    const tag = sealed.subarray(sealed.length - 16);
    const ciphertext = sealed.subarray(12, sealed.length - 16);
    const reference = subject.encryptWithIv(key.unsafeReveal(), iv, plaintext, aad);
    assert.deepEqual(ciphertext, reference.ciphertext);
    assert.deepEqual(tag, reference.tag);
    const opened = subject.decryptWithIv(key.unsafeReveal(), iv, ciphertext, tag, aad);
    assert.deepEqual(opened, plaintext);
  });

  const keyBits = keyLengthInBytes * 8;
  it(`opens every Wycheproof ${keyBits}-bit-key, 96-bit-IV case laid out as iv ‖ ct ‖ tag`, async () => {
    const groups = subject.vectors.testGroups.filter((g) => g.keySize === keyBits && g.ivSize === 96 && g.tagSize === 128);
    assert.ok(groups.length > 0);
    for (const c of groups.flatMap((g) => g.tests)) {
      const { key: caseKey, iv, aad: caseAad, ct, tag } = wycheproof.decode(c);
      const caseAead = create(SecretBytes.copyOf(caseKey));
      const sealed = Buffer.concat([iv, ct, tag]);
      if (c.result === 'valid') {
        assert.equal((await caseAead.decrypt(sealed, caseAad)).toString('hex'), c.msg);
      } else {
        await assert.rejects(caseAead.decrypt(sealed, caseAad), AeadAuthenticationError);
      }
    }
  });

  it('draws a different IV for each of 2000 encryptions of the same plaintext', async () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      ivs.add((await aead.encrypt(plaintext, aad)).subarray(0, 12).toString('hex'));
    }
    assert.equal(ivs.size, 2000);
  });

  it('rejects a flipped low or high bit in any byte of iv, ciphertext or tag with AeadAuthenticationError', async () => {
    const sealed = await aead.encrypt(plaintext, aad);
    for (const bit of [0x01, 0x80]) {
      for (let i = 0; i < sealed.length; i++) {
        const tampered = Buffer.from(sealed);
        tampered[i] = tampered[i]! ^ bit;
        await assert.rejects(aead.decrypt(tampered, aad), AeadAuthenticationError, `byte ${i} ^ ${bit}`);
      }
    }
  });

  it('rejects wrong additional data with AeadAuthenticationError and no detail', async () => {
    const sealed = await aead.encrypt(plaintext, aad);
    await assert.rejects(aead.decrypt(sealed, Buffer.from('additional datA')), (error) => {
      assert.ok(error instanceof AeadAuthenticationError);
      assert.equal(error.message, 'authentication failed');
      return true;
    });
    await assert.rejects(aead.decrypt(sealed, Buffer.alloc(0)), AeadAuthenticationError);
  });

  it('rejects a key other than the one that sealed with AeadAuthenticationError', async () => {
    const sealed = await aead.encrypt(plaintext, aad);
    const other = create(SecretBytes.random(keyLengthInBytes));
    await assert.rejects(other.decrypt(sealed, aad), AeadAuthenticationError);
  });

  it('rejects input shorter than 28 bytes, and a sealed value cut short, with AeadAuthenticationError', async () => {
    for (let length = 0; length < 28; length++) {
      await assert.rejects(aead.decrypt(Buffer.alloc(length), aad), AeadAuthenticationError);
    }
    const sealed = await aead.encrypt(plaintext, aad);
    await assert.rejects(aead.decrypt(sealed.subarray(0, -1), aad), AeadAuthenticationError);
    await assert.rejects(aead.decrypt(sealed.subarray(1), aad), AeadAuthenticationError);
  });

  const wrongKeyLengths = [0, 16, 32, keyLengthInBytes - 1, keyLengthInBytes + 1]
    .filter((length) => length !== keyLengthInBytes)
    .sort((a, b) => a - b);
  const shownLengths = `${wrongKeyLengths.slice(0, -1).join(', ')} or ${wrongKeyLengths.at(-1)}`;
  it(`refuses a key of ${shownLengths} bytes at construction`, () => {
    for (const length of wrongKeyLengths) {
      assert.throws(
        () => create(SecretBytes.random(length)),
        { message: `${algorithm} needs a ${keyLengthInBytes}-byte key` },
        `${length} bytes`,
      );
    }
  });

  it('stops working once its key is wiped', async () => {
    const wipedKey = SecretBytes.random(keyLengthInBytes);
    const doomed = create(wipedKey);
    const sealed = await doomed.encrypt(plaintext, aad);
    wipedKey.wipe();
    await assert.rejects(doomed.encrypt(plaintext, aad), /used after wipe/);
    await assert.rejects(doomed.decrypt(sealed, aad), /used after wipe/);
  });

  it(`is what createAead('${algorithm}') returns`, async () => {
    const viaFactory = createAead(algorithm, key);
    assert.equal(viaFactory.algorithm, algorithm);
    assert.deepEqual(await aead.decrypt(await viaFactory.encrypt(plaintext, aad), aad), plaintext);
  });
}
