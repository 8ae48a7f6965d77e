import { type CipherGCMTypes, createCipheriv, createDecipheriv } from 'node:crypto';
import { type Aead, AeadAlgorithm, AeadAuthenticationError, GCM_IV_LENGTH, GCM_TAG_LENGTH } from './aead.js';
import { createGcmSealedAead, type GcmWithIv, type KeyedGcmWithIv, requireKeyLength } from './gcm-sealed.js';
import type { SecretBytes } from './secret-bytes.js';

const AES_256_KEY_LENGTH_IN_BYTES = 32;
// For the Aead: 16-byte tags (the encrypt default; decrypt takes the length of the tag it is given).
const AES_GCM: GcmWithIv = { encrypt: aesGcmEncryptWithIv, decrypt: aesGcmDecryptWithIv };

/** Sealed layout: iv(12) ‖ ciphertext ‖ tag(16). */
export function createAes256Gcm(key: SecretBytes): Aead {
  requireKeyLength(AeadAlgorithm.Aes256Gcm, key, AES_256_KEY_LENGTH_IN_BYTES);
  return createGcmSealedAead(AeadAlgorithm.Aes256Gcm, key, AES_GCM);
}

/**
 * AES-256-GCM with caller-chosen IVs bound to one key, for constructions whose IVs are unique by
 * construction (the segments of a streaming AEAD); anything else uses `createAes256Gcm`.
 */
export function createAes256GcmWithIv(key: SecretBytes): KeyedGcmWithIv {
  requireKeyLength(AeadAlgorithm.Aes256Gcm, key, AES_256_KEY_LENGTH_IN_BYTES);
  return {
    encrypt: (iv, plaintext, additionalData) => {
      if (iv.length !== GCM_IV_LENGTH) throw new Error(`AES-256-GCM segments take ${GCM_IV_LENGTH}-byte IVs`);
      return aesGcmEncryptWithIv(key.unsafeReveal(), iv, plaintext, additionalData);
    },
    decrypt: (iv, ciphertext, tag, additionalData) => {
      // A tag of another length would let Node verify a truncated tag; refuse it as a bad tag.
      if (iv.length !== GCM_IV_LENGTH) throw new Error(`AES-256-GCM segments take ${GCM_IV_LENGTH}-byte IVs`);
      if (tag.length !== GCM_TAG_LENGTH) throw new AeadAuthenticationError();
      return aesGcmDecryptWithIv(key.unsafeReveal(), iv, ciphertext, tag, additionalData);
    },
  };
}

/**
 * AES-GCM with a caller-chosen IV. For the Aead above and for known-answer tests only: a caller
 * that picks IVs can repeat one, which under GCM reveals the authentication key.
 *
 * Takes any key size (16, 24, 32 bytes), IV size (1 to 128 bytes) and tag size (4, 8, 12 to 16
 * bytes) that Node accepts, so that every Wycheproof case can be run; Node's own error is thrown
 * for the sizes it refuses.
 */
export function aesGcmEncryptWithIv(
  key: Buffer,
  iv: Uint8Array,
  plaintext: Uint8Array,
  additionalData: Uint8Array,
  tagLengthInBytes: number = GCM_TAG_LENGTH,
): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv(aesGcmName(key), key, iv, { authTagLength: tagLengthInBytes });
  cipher.setAAD(additionalData);
  const ciphertext = cipher.update(plaintext);
  cipher.final(); // GCM holds nothing back: final only computes the tag
  return { ciphertext, tag: cipher.getAuthTag() };
}

/**
 * Inverse of `aesGcmEncryptWithIv`, for the Aead and known-answer tests only; the tag length is
 * the length of `tag`. Sizes Node refuses (key, IV, tag length) raise Node's error; a tag that
 * does not verify raises `AeadAuthenticationError`, with Node's message dropped.
 */
export function aesGcmDecryptWithIv(
  key: Buffer,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  additionalData: Uint8Array,
): Buffer {
  const decipher = createDecipheriv(aesGcmName(key), key, iv, { authTagLength: tag.length });
  decipher.setAuthTag(tag);
  decipher.setAAD(additionalData);
  // Node decrypts before it verifies: this plaintext is unauthenticated until final() returns.
  const plaintext = decipher.update(ciphertext);
  try {
    decipher.final();
  } catch {
    plaintext.fill(0);
    throw new AeadAuthenticationError();
  }
  return plaintext;
}

function aesGcmName(key: Buffer): CipherGCMTypes {
  switch (key.length) {
    case 16:
      return 'aes-128-gcm';
    case 24:
      return 'aes-192-gcm';
    case 32:
      return 'aes-256-gcm';
    default:
      throw new Error('AES-GCM needs a 16-, 24- or 32-byte key');
  }
}
