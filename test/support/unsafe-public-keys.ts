// Public keys a caller could send to ExportDataKey and GenerateAndExportDataKey that no data key
// may be wrapped for: each either crashed the RSA encryption (500 with a stack trace) or made a
// wrap that anyone can undo. They are crafted as DER SubjectPublicKeyInfo, which Node builds from
// a JWK without checking the numbers.
import { createPublicKey, generateKeyPairSync, getDiffieHellman } from 'node:crypto';

export interface UnsafePublicKey {
  readonly label: string;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Buffer;
}

function base64UrlOf(value: bigint, lengthInBytes?: number): string {
  let hex = value.toString(16);
  if (lengthInBytes !== undefined) hex = hex.padStart(lengthInBytes * 2, '0');
  else if (hex.length % 2 === 1) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
}

function bigintOf(base64Url: string | undefined): bigint {
  if (base64Url === undefined) throw new Error('the JWK lacks a number');
  return BigInt(`0x${Buffer.from(base64Url, 'base64url').toString('hex')}`);
}

/** An RSA SubjectPublicKeyInfo with exactly this modulus and public exponent. */
export function rsaSpki(n: bigint, e: bigint): Buffer {
  const key = createPublicKey({ key: { kty: 'RSA', n: base64UrlOf(n), e: base64UrlOf(e) }, format: 'jwk' });
  return key.export({ type: 'spki', format: 'der' });
}

/** A genuine RSA-2048 pair's modulus and its two primes. */
function rsa2048Numbers(): { n: bigint; p: bigint; q: bigint } {
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  return { n: bigintOf(jwk.n), p: bigintOf(jwk.p), q: bigintOf(jwk.q) };
}

const F4 = 65537n;

/** Every unsafe RSA public key of 2048 bits or fewer that the export actions must refuse. */
export function unsafeRsaPublicKeys(): UnsafePublicKey[] {
  const { n, p } = rsa2048Numbers();
  // RFC 3526 group 14: a published 2048-bit prime, so the test need not search for one.
  const prime2048 = bigintOf(getDiffieHellman('modp14').getPrime().toString('base64url'));
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' });
  // 3 · (a 2047-bit odd number): 2048 bits, odd, and a small factor.
  const withSmallFactor = 3n * ((1n << 2046n) + 1n);
  return [
    { label: 'an even modulus', spki: rsaSpki(n - 1n, F4) },
    { label: 'e = n', spki: rsaSpki(n, n) },
    { label: 'e = 1 (the wrap is the padded data key in the clear)', spki: rsaSpki(n, 1n) },
    { label: 'e = 3', spki: rsaSpki(n, 3n) },
    { label: 'e = 65535, below 65537', spki: rsaSpki(n, 65535n) },
    { label: 'an even e', spki: rsaSpki(n, 65538n) },
    { label: 'e of 2^256 + 1, beyond the bound of SP 800-56B', spki: rsaSpki(n, (1n << 256n) + 1n) },
    { label: 'a 1024-bit modulus', spki: small },
    { label: 'a prime modulus (anyone can compute d)', spki: rsaSpki(prime2048, F4) },
    { label: 'the square of a prime as modulus', spki: rsaSpki(p * p, F4) },
    { label: '1249^199 as modulus (a prime power of 2048 bits)', spki: rsaSpki(1249n ** 199n, F4) },
    { label: 'a modulus with the factor 3', spki: rsaSpki(withSmallFactor, F4) },
  ];
}

// --- SM2 ------------------------------------------------------------------------------------------

/** DER of SEQUENCE { id-ecPublicKey, 1.2.156.10197.1.301 }: the algorithm of an SM2 key. */
const SM2_ALGORITHM = Buffer.from('301306072a8648ce3d020106082a811ccf5501822d', 'hex');
const SM2_P = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF');

/** An SM2 SubjectPublicKeyInfo whose BIT STRING holds exactly `encodedPoint`. */
export function sm2Spki(encodedPoint: Buffer): Buffer {
  const bitString = Buffer.concat([Buffer.of(0x03, encodedPoint.length + 1, 0x00), encodedPoint]);
  const body = Buffer.concat([SM2_ALGORITHM, bitString]);
  return Buffer.concat([Buffer.of(0x30, body.length), body]);
}

function uncompressed(x: bigint, y: bigint): Buffer {
  return Buffer.from(`04${hex32(x)}${hex32(y)}`, 'hex');
}

function hex32(value: bigint): string {
  return value.toString(16).padStart(64, '0');
}

/** Unsafe SM2 public keys, made from `valid` (the SPKI of a genuine SM2 key). */
export function unsafeSm2PublicKeys(valid: Buffer): UnsafePublicKey[] {
  const point = valid.subarray(valid.length - 64);
  const x = BigInt(`0x${point.subarray(0, 32).toString('hex')}`);
  const y = BigInt(`0x${point.subarray(32).toString('hex')}`);
  return [
    { label: 'a point off the curve', spki: sm2Spki(uncompressed(x, (y + 1n) % SM2_P)) },
    { label: 'the identity (point at infinity, one zero byte)', spki: sm2Spki(Buffer.of(0x00)) },
    { label: 'the identity written as (0, 0)', spki: sm2Spki(uncompressed(0n, 0n)) },
  ];
}
