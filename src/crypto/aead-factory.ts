import { type Aead, AeadAlgorithm } from './aead.js';
import { createAes256Gcm } from './aes-gcm.js';
import type { SecretBytes } from './secret-bytes.js';
import { createSm4Gcm } from './sm4-gcm.js';

/** The Aead for `algorithm`, bound to `key`; throws if the key has the wrong length. */
export function createAead(algorithm: AeadAlgorithm, key: SecretBytes): Aead {
  switch (algorithm) {
    case AeadAlgorithm.Aes256Gcm:
      return createAes256Gcm(key);
    case AeadAlgorithm.Sm4Gcm:
      return createSm4Gcm(key);
    default:
      return unknownAlgorithm(algorithm);
  }
}

// Fails to compile when an AeadAlgorithm is added without a case above; at run time it catches
// a value that came in untyped.
function unknownAlgorithm(algorithm: never): never {
  throw new Error(`unknown AEAD algorithm: ${String(algorithm)}`);
}
