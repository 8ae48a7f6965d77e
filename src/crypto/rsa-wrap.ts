import { constants, createPrivateKey, createPublicKey, generateKeyPair, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { SecretBytes } from './secret-bytes.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export const RSA_WRAPPING_MODULUS_BITS = 2048;
const MODULUS_BYTES = RSA_WRAPPING_MODULUS_BITS / 8;
/** PKCS#1 v1.5 type-2 padding: 0x00 ‖ 0x02 ‖ PS (≥ 8 non-zero bytes) ‖ 0x00 ‖ M. */
const PKCS1_MIN_PADDING = 11;

export type OaepHash = 'sha1' | 'sha256';

/** The one error every failure to unwrap becomes; it says nothing about the cause. */
export class UnwrapError extends Error {
  constructor() {
    super('unwrap failed');
    this.name = 'UnwrapError';
  }
}

export interface RsaKeyPair {
  /** PKCS#8 DER of the private key. */
  readonly privateKeyPkcs8: SecretBytes;
  /** DER SubjectPublicKeyInfo. */
  readonly publicKeySpki: Buffer;
}

export async function generateRsaWrappingKeyPair(): Promise<RsaKeyPair> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: RSA_WRAPPING_MODULUS_BITS,
    publicExponent: 0x10001,
  });
  return {
    privateKeyPkcs8: SecretBytes.adopt(privateKey.export({ type: 'pkcs8', format: 'der' })),
    publicKeySpki: publicKey.export({ type: 'spki', format: 'der' }),
  };
}

function privateKeyOf(pkcs8: SecretBytes): KeyObject {
  return createPrivateKey({ key: pkcs8.unsafeReveal(), format: 'der', type: 'pkcs8' });
}

/**
 * RSAES-OAEP decryption (RFC 8017 §7.1.2) with `hash` for both the label hash and MGF1, as
 * Alibaba's RSAES_OAEP_SHA_1 and RSAES_OAEP_SHA_256 (MGF1-SHA-256) define. `label` exists for the
 * published test vectors; Alibaba uses the empty label.
 */
export function rsaOaepDecrypt(privateKeyPkcs8: SecretBytes, hash: OaepHash, ciphertext: Buffer, label?: Buffer): SecretBytes {
  try {
    return SecretBytes.adopt(
      privateDecrypt(
        {
          key: privateKeyOf(privateKeyPkcs8),
          padding: constants.RSA_PKCS1_OAEP_PADDING,
          oaepHash: hash,
          ...(label ? { oaepLabel: label } : {}),
        },
        ciphertext,
      ),
    );
  } catch {
    throw new UnwrapError();
  }
}

/**
 * RSAES-PKCS1-v1_5 decryption of a message whose length is known in advance.
 *
 * Node 20 refuses `RSA_PKCS1_PADDING` for private decryption (CVE-2023-46809, the Marvin
 * attack) unless OpenSSL offers implicit rejection, which OpenSSL 3.0 does not. So the raw RSA
 * operation is done by OpenSSL (`RSA_NO_PADDING`, blinded) and the padding is checked here
 * without branching on its bytes: every byte is read, the verdict is folded into one mask, and
 * only the final verdict decides. Because the length is fixed, the separator must sit at one
 * known place, so no search through secret bytes is needed. Any failure is the one `UnwrapError`.
 * (JavaScript gives no hard constant-time guarantee; the ADR states the residual risk.)
 */
export function rsaPkcs1v15DecryptFixedLength(privateKeyPkcs8: SecretBytes, ciphertext: Buffer, messageLength: number): SecretBytes {
  if (messageLength < 1 || messageLength > MODULUS_BYTES - PKCS1_MIN_PADDING) throw new UnwrapError();
  if (ciphertext.length !== MODULUS_BYTES) throw new UnwrapError();
  let encoded: Buffer;
  try {
    encoded = privateDecrypt({ key: privateKeyOf(privateKeyPkcs8), padding: constants.RSA_NO_PADDING }, ciphertext);
  } catch {
    throw new UnwrapError();
  }
  try {
    if (encoded.length !== MODULUS_BYTES) throw new UnwrapError();
    const separator = MODULUS_BYTES - messageLength - 1;
    // bad is 0 when the layout holds, non-zero otherwise.
    let bad = (encoded[0] ?? 1) | ((encoded[1] ?? 0) ^ 0x02) | (encoded[separator] ?? 1);
    for (let i = 2; i < separator; i++) {
      const byte = encoded[i] ?? 0;
      // (byte - 1) >> 8 is -1 (all ones) exactly when byte is 0: a zero inside PS is bad.
      bad |= ((byte - 1) >> 8) & 1;
    }
    if (bad !== 0) throw new UnwrapError();
    return SecretBytes.copyOf(encoded.subarray(separator + 1));
  } finally {
    encoded.fill(0);
  }
}

/** RSAES-OAEP encryption to a caller's public key (ExportDataKey). */
export function rsaOaepEncrypt(publicKey: KeyObject, hash: OaepHash, message: Buffer): Buffer {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, message);
}

/** An RSA-2048 public key from DER SubjectPublicKeyInfo; undefined for anything else. */
export function rsa2048PublicKeyFromSpki(spki: Buffer): KeyObject | undefined {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
  if (key.asymmetricKeyType !== 'rsa' || key.asymmetricKeyDetails?.modulusLength !== RSA_WRAPPING_MODULUS_BITS) return undefined;
  return key;
}
