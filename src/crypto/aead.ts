/**
 * An authenticated cipher bound to one key, in the shape Tink made standard: the caller gives
 * plaintext and additional data, never an IV. The IV is drawn inside from a CSPRNG.
 *
 * Sealed layout: iv(12) ‖ ciphertext ‖ tag(16).
 *
 * `decrypt` throws `AeadAuthenticationError` for every failure that depends on the key
 * (bad tag, wrong additional data, wrong key) and for input too short to hold an IV and a tag,
 * and says nothing more.
 */
export interface Aead {
  readonly algorithm: AeadAlgorithm;
  encrypt(plaintext: Uint8Array, additionalData: Uint8Array): Promise<Buffer>;
  decrypt(sealed: Uint8Array, additionalData: Uint8Array): Promise<Buffer>;
}

export const AeadAlgorithm = {
  Aes256Gcm: 'AES-256-GCM',
  Sm4Gcm: 'SM4-GCM',
} as const;
export type AeadAlgorithm = (typeof AeadAlgorithm)[keyof typeof AeadAlgorithm];

export const GCM_IV_LENGTH = 12;
export const GCM_TAG_LENGTH = 16;

/** The one error every authentication failure becomes. Its message carries no detail. */
export class AeadAuthenticationError extends Error {
  constructor() {
    super('authentication failed');
    this.name = 'AeadAuthenticationError';
  }
}
