import {
  generateRsaWrappingKeyPair,
  rsa2048PublicKeyFromSpki,
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  rsaPkcs1v15DecryptFixedLength,
  UnwrapError,
} from '../crypto/rsa-wrap.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import { generateSm2KeyPair, sm2Decrypt, sm2Encrypt, Sm2DecryptionError, sm2PointFromSpki } from '../crypto/sm2.js';
import { KmsError } from '../domain/errors.js';
import { WrappingAlgorithm, WrappingKeySpec, type WrappingScheme } from '../domain/wrapping.js';

// Routes each wrapping scheme to its primitive. The primitives live in src/crypto; this is the
// only place that knows which one a wire name means.

export interface WrappingKeyPair {
  /** RSA: PKCS#8 DER; SM2: the 32-byte private scalar. */
  readonly privateKey: SecretBytes;
  /** DER SubjectPublicKeyInfo. */
  readonly publicKeySpki: Buffer;
}

export async function generateWrappingKeyPair(scheme: WrappingScheme): Promise<WrappingKeyPair> {
  if (scheme.keySpec === WrappingKeySpec.EcSm2) {
    const pair = generateSm2KeyPair();
    return { privateKey: pair.privateKey, publicKeySpki: pair.publicKeySpki };
  }
  const pair = await generateRsaWrappingKeyPair();
  return { privateKey: pair.privateKeyPkcs8, publicKeySpki: pair.publicKeySpki };
}

/**
 * Unwraps imported material that must be `lengthInBytes` long. Every failure (does not
 * unwrap, wrong length) is the one InvalidKeyMaterial.
 */
export function unwrapKeyMaterial(scheme: WrappingScheme, privateKey: SecretBytes, wrapped: Buffer, lengthInBytes: number): SecretBytes {
  let material: SecretBytes;
  try {
    material = unwrapWith(scheme.algorithm, privateKey, wrapped, lengthInBytes);
  } catch (error) {
    if (error instanceof UnwrapError || error instanceof Sm2DecryptionError) throw new KmsError('InvalidKeyMaterial');
    throw error;
  }
  if (material.lengthInBytes !== lengthInBytes) {
    material.wipe();
    throw new KmsError('InvalidKeyMaterial');
  }
  return material;
}

function unwrapWith(algorithm: WrappingAlgorithm, privateKey: SecretBytes, wrapped: Buffer, lengthInBytes: number): SecretBytes {
  switch (algorithm) {
    case WrappingAlgorithm.RsaesPkcs1V15:
      return rsaPkcs1v15DecryptFixedLength(privateKey, wrapped, lengthInBytes);
    case WrappingAlgorithm.RsaesOaepSha1:
      return rsaOaepDecrypt(privateKey, 'sha1', wrapped);
    case WrappingAlgorithm.RsaesOaepSha256:
      return rsaOaepDecrypt(privateKey, 'sha256', wrapped);
    case WrappingAlgorithm.Sm2Pke:
      return sm2Decrypt(privateKey, wrapped);
  }
}

/** A caller's public key, checked against the scheme; InvalidParameter PublicKeyBlob otherwise. */
export interface ExportRecipient {
  readonly scheme: WrappingScheme;
  /** The longest data key this recipient's scheme can carry. */
  readonly maxDataKeyBytes: number;
  wrap(dataKey: Buffer): Buffer;
}

/** Largest message RSAES-OAEP fits in a 2048-bit modulus: k - 2·hLen - 2. */
const OAEP_CAPACITY: Readonly<Record<string, number>> = { sha1: 256 - 2 * 20 - 2, sha256: 256 - 2 * 32 - 2 };

export function exportRecipient(scheme: WrappingScheme, publicKeySpki: Buffer): ExportRecipient {
  if (scheme.keySpec === WrappingKeySpec.EcSm2) {
    const point = sm2PointFromSpki(publicKeySpki);
    if (!point) throw new KmsError('InvalidInput', 'publicKeyBlob');
    return { scheme, maxDataKeyBytes: Number.MAX_SAFE_INTEGER, wrap: (dataKey) => sm2Encrypt(point, dataKey) };
  }
  const publicKey = rsa2048PublicKeyFromSpki(publicKeySpki);
  if (!publicKey) throw new KmsError('InvalidInput', 'publicKeyBlob');
  const hash = scheme.algorithm === WrappingAlgorithm.RsaesOaepSha1 ? 'sha1' : 'sha256';
  const maxDataKeyBytes = OAEP_CAPACITY[hash] ?? 0;
  return {
    scheme,
    maxDataKeyBytes,
    wrap: (dataKey) => {
      // A data key longer than OAEP can carry under this hash cannot be exported this way.
      if (dataKey.length > maxDataKeyBytes) throw new KmsError('InvalidInput', 'wrappingAlgorithm');
      return rsaOaepEncrypt(publicKey, hash, dataKey);
    },
  };
}
