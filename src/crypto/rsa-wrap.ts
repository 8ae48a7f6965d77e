import {
  checkPrimeSync,
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  privateDecrypt,
  publicEncrypt,
  type KeyObject,
} from 'node:crypto';
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

/**
 * An RSA-2048 public key from DER SubjectPublicKeyInfo that is safe to encrypt a data key to;
 * undefined for anything else. The key comes from a caller (ExportDataKey), and Node builds a key
 * object from any numbers at all: with an even modulus or e ≥ n OpenSSL throws at encryption, and
 * with e = 1 the "ciphertext" is the OAEP-padded data key, which anyone can unpad.
 */
export function rsa2048PublicKeyFromSpki(spki: Buffer): KeyObject | undefined {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
  if (key.asymmetricKeyType !== 'rsa' || key.asymmetricKeyDetails?.modulusLength !== RSA_WRAPPING_MODULUS_BITS) return undefined;
  const numbers = rsaPublicNumbersOf(key);
  return numbers && isSafeRsaEncryptionKey(numbers) ? key : undefined;
}

interface RsaPublicNumbers {
  readonly n: bigint;
  readonly e: bigint;
}

function rsaPublicNumbersOf(key: KeyObject): RsaPublicNumbers | undefined {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.n === undefined || jwk.e === undefined) return undefined;
  return { n: bigintOfBase64Url(jwk.n), e: bigintOfBase64Url(jwk.e) };
}

function bigintOfBase64Url(text: string): bigint {
  const hex = Buffer.from(text, 'base64url').toString('hex');
  return hex === '' ? 0n : BigInt(`0x${hex}`);
}

/** NIST SP 800-56B rev. 2 §6.2.1: 2^16 < e < 2^256, e odd. */
const MIN_PUBLIC_EXPONENT = 65537n;
const PUBLIC_EXPONENT_LIMIT = 1n << 256n;
/** SP 800-89 §5.3.3: a modulus has no prime factor below 752. */
const SMALL_PRIMES = primesBelow(752);

/**
 * The partial public-key validation of NIST SP 800-89 §5.3.3 with the exponent bounds of
 * SP 800-56B: n odd, without a prime factor below 752, not a prime and not a perfect power
 * (for those anyone can compute the private exponent); e odd, 2^16 < e < 2^256 (so e < n).
 * The size is checked by the caller. It costs a few milliseconds, all on public numbers.
 */
function isSafeRsaEncryptionKey({ n, e }: RsaPublicNumbers): boolean {
  if ((n & 1n) === 0n || (e & 1n) === 0n) return false;
  if (e < MIN_PUBLIC_EXPONENT || e >= PUBLIC_EXPONENT_LIMIT || e >= n) return false;
  if (SMALL_PRIMES.some((prime) => n % prime === 0n)) return false;
  // One Miller–Rabin round: a prime always passes, so a prime n is always refused; a composite
  // passes (and is then wrongly refused) with negligible probability for a real RSA modulus.
  if (checkPrimeSync(n, { checks: 1 })) return false;
  return !isPerfectPower(n);
}

/**
 * Whether n = r^k for some k ≥ 2. It suffices to try prime k (r^(ab) = (r^a)^b); since n has no
 * factor below 752, r ≥ 753 and k ≤ log2(n) / log2(753), about 214 for 2048 bits.
 */
function isPerfectPower(n: bigint): boolean {
  const maxExponent = Math.floor(bitLengthOf(n) / Math.log2(753));
  return SMALL_PRIMES.filter((k) => k <= maxExponent).some((k) => integerRoot(n, k) ** k === n);
}

function bitLengthOf(n: bigint): number {
  return n.toString(2).length;
}

/**
 * ⌊n^(1/k)⌋ for n ≥ 1, by Newton's method. One step from any x > 0 lands at or above the root
 * (the arithmetic–geometric mean inequality, and the floors keep it so); from there the steps
 * decrease until the root. A floating-point estimate only makes that short: from a start far
 * above, each step would shrink x by about a factor (k − 1)/k.
 */
function integerRoot(n: bigint, k: bigint): bigint {
  const step = (x: bigint) => ((k - 1n) * x + n / x ** (k - 1n)) / k;
  let x = step(rootEstimate(n, Number(k)));
  for (;;) {
    const next = step(x);
    if (next >= x) return x;
    x = next;
  }
}

/** About n^(1/k), at least 1, from the top 53 bits of n. */
function rootEstimate(n: bigint, k: number): bigint {
  const shift = Math.max(0, bitLengthOf(n) - 53);
  const exponent = (Math.log2(Number(n >> BigInt(shift))) + shift) / k;
  const scale = Math.max(0, Math.floor(exponent) - 52);
  const estimate = BigInt(Math.round(2 ** (exponent - scale))) << BigInt(scale);
  return estimate > 0n ? estimate : 1n;
}

function primesBelow(limit: number): bigint[] {
  const primes: number[] = [];
  for (let candidate = 2; candidate < limit; candidate++) {
    if (primes.every((prime) => candidate % prime !== 0)) primes.push(candidate);
  }
  return primes.map(BigInt);
}
