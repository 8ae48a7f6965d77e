// The key-bound GCM ciphers with caller-chosen IVs that the envelope segments use: identical to
// the known-answer-tested raw functions, same refusals, and a wiped key stops them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';

import { AeadAlgorithm, AeadAuthenticationError } from '../../src/crypto/aead.js';
import { aesGcmEncryptWithIv } from '../../src/crypto/aes-gcm.js';
import { AEAD_KEY_LENGTH_IN_BYTES, createKeyedGcmWithIv } from '../../src/crypto/keyed-gcm-factory.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { sm4GcmEncryptWithIv } from '../../src/crypto/sm4-gcm.js';

const RAW = {
  [AeadAlgorithm.Aes256Gcm]: aesGcmEncryptWithIv,
  [AeadAlgorithm.Sm4Gcm]: sm4GcmEncryptWithIv,
} as const;

for (const algorithm of [AeadAlgorithm.Aes256Gcm, AeadAlgorithm.Sm4Gcm]) {
  describe(`createKeyedGcmWithIv(${algorithm})`, () => {
    it('seals exactly as the vector-tested function with the same key and IV, and opens it', () => {
      const rawKey = randomBytes(AEAD_KEY_LENGTH_IN_BYTES[algorithm]);
      const gcm = createKeyedGcmWithIv(algorithm, SecretBytes.copyOf(rawKey));
      for (const length of [0, 1, 15, 16, 17, 1000, 65_536]) {
        const iv = randomBytes(12);
        const plaintext = randomBytes(length);
        const additionalData = randomBytes(length % 40);
        const sealed = gcm.encrypt(iv, plaintext, additionalData);
        const expected = RAW[algorithm](rawKey, iv, plaintext, additionalData);
        assert.ok(sealed.ciphertext.equals(expected.ciphertext) && sealed.tag.equals(expected.tag), `length ${length}`);
        assert.ok(gcm.decrypt(iv, sealed.ciphertext, sealed.tag, additionalData).equals(plaintext));
      }
    });

    it('refuses a changed IV, ciphertext, tag or additional data, and a short tag, with AeadAuthenticationError', () => {
      const gcm = createKeyedGcmWithIv(algorithm, SecretBytes.random(AEAD_KEY_LENGTH_IN_BYTES[algorithm]));
      const iv = randomBytes(12);
      const { ciphertext, tag } = gcm.encrypt(iv, Buffer.from('segment'), Buffer.alloc(0));
      const flip = (bytes: Buffer): Buffer => {
        const copy = Buffer.from(bytes);
        copy[0] = (copy[0] ?? 0) ^ 1;
        return copy;
      };
      assert.throws(() => gcm.decrypt(flip(iv), ciphertext, tag, Buffer.alloc(0)), AeadAuthenticationError);
      assert.throws(() => gcm.decrypt(iv, flip(ciphertext), tag, Buffer.alloc(0)), AeadAuthenticationError);
      assert.throws(() => gcm.decrypt(iv, ciphertext, flip(tag), Buffer.alloc(0)), AeadAuthenticationError);
      assert.throws(() => gcm.decrypt(iv, ciphertext, tag, Buffer.from([0])), AeadAuthenticationError);
      assert.throws(() => gcm.decrypt(iv, ciphertext, tag.subarray(0, 12), Buffer.alloc(0)), AeadAuthenticationError);
    });

    it('refuses a key of the wrong length, an IV that is not 12 bytes, and works no more once the key is wiped', () => {
      assert.throws(() => createKeyedGcmWithIv(algorithm, SecretBytes.random(AEAD_KEY_LENGTH_IN_BYTES[algorithm] + 1)), /needs a/);
      const key = SecretBytes.random(AEAD_KEY_LENGTH_IN_BYTES[algorithm]);
      const gcm = createKeyedGcmWithIv(algorithm, key);
      assert.throws(() => gcm.encrypt(randomBytes(16), Buffer.from('x'), Buffer.alloc(0)), /12-byte IVs/);
      key.wipe();
      assert.throws(() => gcm.encrypt(randomBytes(12), Buffer.from('x'), Buffer.alloc(0)), /after wipe/);
    });
  });
}
