import { createCipheriv, timingSafeEqual } from 'node:crypto';
import { type Aead, AeadAlgorithm, AeadAuthenticationError, GCM_IV_LENGTH, GCM_TAG_LENGTH } from './aead.js';
import { createGcmSealedAead, type KeyedGcmWithIv, requireKeyLength } from './gcm-sealed.js';
import { Ghash } from './ghash.js';
import type { SecretBytes } from './secret-bytes.js';

// SM4-GCM (RFC 8998, NIST SP 800-38D with SM4 as the block cipher). OpenSSL 3.0 has no SM4-GCM,
// so it is assembled here from OpenSSL's native sm4-ctr keystream and a GHASH in TypeScript.
//
//   J0         = IV(12) ‖ 00000001
//   E_K(J0)    = first block of sm4-ctr started at J0 (it encrypts a zero block)
//   ciphertext = sm4-ctr continued from J0 + 1 = inc32(J0)
//   tag        = E_K(J0) ⊕ GHASH_H(A, C),  H = E_K(0^128)
//
// Only 12-byte IVs: other lengths derive J0 through GHASH, a path Arca never needs.
// Only 16-byte tags: the raw functions take no tag length, and decryption treats a tag of any
// other length as an authentication failure (Wycheproof's SM4 file has only 128-bit tags).

const SM4_KEY_LENGTH_IN_BYTES = 16;
const BLOCK_LENGTH_IN_BYTES = 16;
const ZERO_BLOCK: Readonly<Buffer> = Buffer.alloc(BLOCK_LENGTH_IN_BYTES);

/**
 * GCM increments only the low 32 bits of the counter; OpenSSL's CTR carries into all 128. With a
 * 12-byte IV the low word is 2 at the first plaintext block, so the two agree for 2^32 - 2 blocks,
 * which is also SP 800-38D's limit on the plaintext length. Longer input is refused.
 */
const MAX_TEXT_LENGTH_IN_BYTES = (2 ** 32 - 2) * BLOCK_LENGTH_IN_BYTES;

/** Sealed layout: iv(12) ‖ ciphertext ‖ tag(16). */
export function createSm4Gcm(key: SecretBytes): Aead {
  requireKeyLength(AeadAlgorithm.Sm4Gcm, key, SM4_KEY_LENGTH_IN_BYTES);
  // H = E_K(0^128) is computed once per Aead; the key itself is still revealed per call.
  const ghash = ghashForKey(key.unsafeReveal());
  return createGcmSealedAead(AeadAlgorithm.Sm4Gcm, key, {
    encrypt: (rawKey, iv, plaintext, additionalData) => encryptCore(rawKey, ghash, iv, plaintext, additionalData),
    decrypt: (rawKey, iv, ciphertext, tag, additionalData) => decryptCore(rawKey, ghash, iv, ciphertext, tag, additionalData),
  });
}

/**
 * SM4-GCM with caller-chosen IVs, bound to one key: H = E_K(0^128) and its GHASH tables are
 * computed once, not per call. For constructions that derive each IV from a counter and can prove
 * it never repeats (the segments of a streaming AEAD); anything else uses `createSm4Gcm`.
 */
export function createSm4GcmWithIv(key: SecretBytes): KeyedGcmWithIv {
  requireKeyLength(AeadAlgorithm.Sm4Gcm, key, SM4_KEY_LENGTH_IN_BYTES);
  const ghash = ghashForKey(key.unsafeReveal());
  return {
    encrypt: (iv, plaintext, additionalData) => {
      checkKeyAndIv(key.unsafeReveal(), iv);
      return encryptCore(key.unsafeReveal(), ghash, iv, plaintext, additionalData);
    },
    decrypt: (iv, ciphertext, tag, additionalData) => {
      checkKeyAndIv(key.unsafeReveal(), iv);
      return decryptCore(key.unsafeReveal(), ghash, iv, ciphertext, tag, additionalData);
    },
  };
}

/**
 * SM4-GCM with a caller-chosen IV. For the Aead above and for known-answer tests only: a caller
 * that picks IVs can repeat one, which under GCM reveals the authentication key.
 *
 * Throws a plain Error for a key that is not 16 bytes, an IV that is not 12 bytes, or a plaintext
 * longer than 2^32 - 2 blocks. The tag is always 16 bytes.
 */
export function sm4GcmEncryptWithIv(
  key: Buffer,
  iv: Uint8Array,
  plaintext: Uint8Array,
  additionalData: Uint8Array,
): { ciphertext: Buffer; tag: Buffer } {
  checkKeyAndIv(key, iv);
  return encryptCore(key, ghashForKey(key), iv, plaintext, additionalData);
}

/**
 * Inverse of `sm4GcmEncryptWithIv`, for known-answer tests only. Throws a plain Error for a bad
 * key or IV length; throws `AeadAuthenticationError` for any tag that does not verify, including
 * a tag that is not 16 bytes. No plaintext is produced before the tag has verified.
 */
export function sm4GcmDecryptWithIv(
  key: Buffer,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  additionalData: Uint8Array,
): Buffer {
  checkKeyAndIv(key, iv);
  return decryptCore(key, ghashForKey(key), iv, ciphertext, tag, additionalData);
}

/**
 * A single-block SM4 encryptor (ECB, no padding) bound to one key: each call takes exactly one
 * 16-byte block. One native cipher object serves every call.
 */
export function createSm4BlockEncryptor(key: Buffer): (block: Uint8Array) => Buffer {
  if (key.length !== SM4_KEY_LENGTH_IN_BYTES) throw new Error('SM4 needs a 16-byte key');
  const ecb = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
  return (block) => {
    if (block.length !== BLOCK_LENGTH_IN_BYTES) throw new Error('SM4 encrypts 16-byte blocks');
    return ecb.update(block);
  };
}

/** E_K(block) for one 16-byte block. */
export function sm4EncryptBlock(key: Buffer, block: Uint8Array): Buffer {
  return createSm4BlockEncryptor(key)(block);
}

function checkKeyAndIv(key: Buffer, iv: Uint8Array): void {
  if (key.length !== SM4_KEY_LENGTH_IN_BYTES) {
    throw new Error(`SM4-GCM needs a ${SM4_KEY_LENGTH_IN_BYTES}-byte key`);
  }
  if (iv.length !== GCM_IV_LENGTH) {
    throw new Error(`SM4-GCM supports only ${GCM_IV_LENGTH}-byte IVs`);
  }
}

function ghashForKey(key: Buffer): Ghash {
  const hashSubkey = sm4EncryptBlock(key, ZERO_BLOCK);
  const ghash = new Ghash(hashSubkey);
  hashSubkey.fill(0);
  return ghash;
}

/** Preconditions (checked by the callers): 16-byte key, 12-byte IV. */
function encryptCore(
  key: Buffer,
  ghash: Ghash,
  iv: Uint8Array,
  plaintext: Uint8Array,
  additionalData: Uint8Array,
): { ciphertext: Buffer; tag: Buffer } {
  if (plaintext.length > MAX_TEXT_LENGTH_IN_BYTES) {
    throw new Error('SM4-GCM plaintext exceeds 2^32 - 2 blocks');
  }
  const keystream = createCipheriv('sm4-ctr', key, initialCounterBlock(iv));
  const tag = keystream.update(ZERO_BLOCK); // E_K(J0), masked into the tag below
  const ciphertext = keystream.update(plaintext);
  ghash.xorDigestInto(tag, additionalData, ciphertext);
  return { ciphertext, tag };
}

/** Preconditions (checked by the callers): 16-byte key, 12-byte IV. */
function decryptCore(
  key: Buffer,
  ghash: Ghash,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  additionalData: Uint8Array,
): Buffer {
  if (tag.length !== GCM_TAG_LENGTH || ciphertext.length > MAX_TEXT_LENGTH_IN_BYTES) {
    throw new AeadAuthenticationError();
  }
  const keystream = createCipheriv('sm4-ctr', key, initialCounterBlock(iv));
  const expectedTag = keystream.update(ZERO_BLOCK);
  ghash.xorDigestInto(expectedTag, additionalData, ciphertext);
  if (!timingSafeEqual(expectedTag, tag)) throw new AeadAuthenticationError();
  // CTR decryption is CTR encryption; the keystream continues at inc32(J0).
  return keystream.update(ciphertext);
}

/** J0 = IV(12) ‖ 00 00 00 01 */
function initialCounterBlock(iv: Uint8Array): Buffer {
  const j0 = Buffer.alloc(BLOCK_LENGTH_IN_BYTES);
  j0.set(iv, 0);
  j0[BLOCK_LENGTH_IN_BYTES - 1] = 1;
  return j0;
}
