import { AeadAlgorithm } from './aead.js';
import { createAes256GcmWithIv } from './aes-gcm.js';
import type { KeyedGcmWithIv } from './gcm-sealed.js';
import type { SecretBytes } from './secret-bytes.js';
import { createSm4GcmWithIv } from './sm4-gcm.js';

/** Key length each AEAD algorithm takes. */
export const AEAD_KEY_LENGTH_IN_BYTES: Readonly<Record<AeadAlgorithm, number>> = {
  [AeadAlgorithm.Aes256Gcm]: 32,
  [AeadAlgorithm.Sm4Gcm]: 16,
};

/**
 * GCM for `algorithm` bound to `key`, taking IVs from the caller: for streaming constructions
 * that derive IVs from a segment counter only. Throws if the key has the wrong length.
 */
export function createKeyedGcmWithIv(algorithm: AeadAlgorithm, key: SecretBytes): KeyedGcmWithIv {
  switch (algorithm) {
    case AeadAlgorithm.Aes256Gcm:
      return createAes256GcmWithIv(key);
    case AeadAlgorithm.Sm4Gcm:
      return createSm4GcmWithIv(key);
    default:
      return unknownAlgorithm(algorithm);
  }
}

function unknownAlgorithm(algorithm: never): never {
  throw new Error(`unknown AEAD algorithm: ${String(algorithm)}`);
}
