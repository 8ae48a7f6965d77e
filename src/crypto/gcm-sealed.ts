import { type Aead, type AeadAlgorithm, AeadAuthenticationError, GCM_IV_LENGTH, GCM_TAG_LENGTH } from './aead.js';
import { randomGcmIv } from './random-iv.js';
import type { SecretBytes } from './secret-bytes.js';

/**
 * A GCM cipher with a caller-chosen IV, as the sealed-layout Aead below needs it: a 12-byte IV
 * and a 16-byte tag. `decrypt` throws `AeadAuthenticationError` for a tag that does not verify.
 */
export interface GcmWithIv {
  encrypt(key: Buffer, iv: Uint8Array, plaintext: Uint8Array, additionalData: Uint8Array): { ciphertext: Buffer; tag: Buffer };
  decrypt(key: Buffer, iv: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, additionalData: Uint8Array): Buffer;
}

/**
 * A GCM cipher bound to one key that still takes the IV from the caller: 12-byte IVs, 16-byte
 * tags. Only for constructions whose IVs are unique by construction (a counter under a fresh
 * key); a repeated IV under GCM reveals the authentication key.
 */
export interface KeyedGcmWithIv {
  encrypt(iv: Uint8Array, plaintext: Uint8Array, additionalData: Uint8Array): { ciphertext: Buffer; tag: Buffer };
  decrypt(iv: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, additionalData: Uint8Array): Buffer;
}

/** Throws `<algorithm> needs a <n>-byte key` unless `key` is `lengthInBytes` long. */
export function requireKeyLength(algorithm: AeadAlgorithm, key: SecretBytes, lengthInBytes: number): void {
  if (key.lengthInBytes !== lengthInBytes) {
    throw new Error(`${algorithm} needs a ${lengthInBytes}-byte key`);
  }
}

/**
 * The Aead over `gcm` in the sealed layout iv(12) ‖ ciphertext ‖ tag(16), the IV drawn fresh for
 * each encryption. The caller checks the key's length first (`requireKeyLength`).
 */
export function createGcmSealedAead(algorithm: AeadAlgorithm, key: SecretBytes, gcm: GcmWithIv): Aead {
  return new GcmSealedAead(algorithm, key, gcm);
}

class GcmSealedAead implements Aead {
  readonly algorithm: AeadAlgorithm;
  // The key stays in its SecretBytes and is revealed per call, so a wiped key stops working.
  readonly #key: SecretBytes;
  readonly #gcm: GcmWithIv;

  constructor(algorithm: AeadAlgorithm, key: SecretBytes, gcm: GcmWithIv) {
    this.algorithm = algorithm;
    this.#key = key;
    this.#gcm = gcm;
  }

  encrypt(plaintext: Uint8Array, additionalData: Uint8Array): Promise<Buffer> {
    return new Promise((resolve) => {
      resolve(this.#seal(plaintext, additionalData));
    });
  }

  decrypt(sealed: Uint8Array, additionalData: Uint8Array): Promise<Buffer> {
    return new Promise((resolve) => {
      resolve(this.#open(sealed, additionalData));
    });
  }

  #seal(plaintext: Uint8Array, additionalData: Uint8Array): Buffer {
    const iv = randomGcmIv();
    const { ciphertext, tag } = this.#gcm.encrypt(this.#key.unsafeReveal(), iv, plaintext, additionalData);
    return Buffer.concat([iv, ciphertext, tag], iv.length + ciphertext.length + tag.length);
  }

  #open(sealed: Uint8Array, additionalData: Uint8Array): Buffer {
    // Precondition: room for an IV and a tag, checked before any slicing.
    if (sealed.length < GCM_IV_LENGTH + GCM_TAG_LENGTH) throw new AeadAuthenticationError();
    const tagStart = sealed.length - GCM_TAG_LENGTH;
    return this.#gcm.decrypt(
      this.#key.unsafeReveal(),
      sealed.subarray(0, GCM_IV_LENGTH),
      sealed.subarray(GCM_IV_LENGTH, tagStart),
      sealed.subarray(tagStart),
      additionalData,
    );
  }
}
