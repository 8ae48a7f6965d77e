import { createECDH, createHash, timingSafeEqual, type ECDH } from 'node:crypto';
import { SecretBytes } from './secret-bytes.js';

/**
 * SM2 public-key encryption (GM/T 0003.4-2012), ciphertext in the GM/T 0009-2012 ASN.1 form that
 * OpenSSL's `pkeyutl -encrypt` writes for an SM2 key:
 *
 *   SM2Cipher ::= SEQUENCE { x INTEGER, y INTEGER, hash OCTET STRING (32), ciphertext OCTET STRING }
 *
 * where (x, y) = C1 = k·G, hash = C3 = SM3(x2 ‖ M ‖ y2), ciphertext = C2 = M ⊕ KDF(x2 ‖ y2, |M|)
 * and (x2, y2) = k·P_B = d_B·C1.
 *
 * Node has the curve (`createECDH('SM2')`) and SM3, but no SM2 encryption. Where this Node's
 * OpenSSL does ECDH on the curve (Node 20 and 22), every scalar multiplication by a secret goes
 * through it (constant time), which yields only the x-coordinate of the product; the y-coordinate
 * is recovered here with BigInt arithmetic (a square root, and one point addition to pick the
 * root's sign). That BigInt arithmetic on x2 — a secret — is NOT constant time: its timing may
 * depend on the value's size in limbs.
 *
 * From Node 24 on, `ECDH.computeSecret` refuses SM2 keys, and no key object of the curve with a
 * scalar or point of ours can be made for `crypto.diffieHellman` (OpenSSL types imported SM2 keys
 * as SM2, which Node does not take; only generated ones are EC). There the multiplication is a
 * Montgomery ladder in BigInt arithmetic (`multiplyByLadder`): the same sequence of operations
 * for every scalar, but, like all BigInt arithmetic, not constant time.
 */

const P = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF');
const A = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC');
const B = BigInt('0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93');
const N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');
const COORDINATE_LENGTH = 32;
const SM3_LENGTH = 32;
/** DER prefix of an SM2 SubjectPublicKeyInfo (id-ecPublicKey, curve 1.2.156.10197.1.301), before the 65-byte point. */
const SM2_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');

/** The one error every failure to decrypt becomes; it says nothing about the cause. */
export class Sm2DecryptionError extends Error {
  constructor() {
    super('SM2 decryption failed');
    this.name = 'Sm2DecryptionError';
  }
}

export interface Sm2Point {
  readonly x: bigint;
  readonly y: bigint;
}

function mod(value: bigint, modulus: bigint = P): bigint {
  const r = value % modulus;
  return r >= 0n ? r : r + modulus;
}

function modPow(base: bigint, exponent: bigint, modulus: bigint = P): bigint {
  let result = 1n;
  let b = mod(base, modulus);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** p is prime, so a^(p-2) is a's inverse (Fermat). */
function modInverse(value: bigint): bigint {
  return modPow(value, P - 2n);
}

function curveRightSide(x: bigint): bigint {
  return mod(x * x * x + A * x + B);
}

/** Whether (x, y) is an affine point of the curve; the point at infinity has no affine form and is never one. */
export function isOnCurve(point: Sm2Point): boolean {
  const { x, y } = point;
  if (x < 0n || x >= P || y < 0n || y >= P) return false;
  return mod(y * y) === curveRightSide(x);
}

function toFixedBytes(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(COORDINATE_LENGTH * 2, '0'), 'hex');
}

function fromBytes(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

/** OpenSSL's private scalar (leading zero bytes dropped) as 32 bytes; its own buffer is wiped. */
function privateScalarOf(ecdh: ECDH): Buffer {
  const raw = ecdh.getPrivateKey();
  const scalar = Buffer.alloc(COORDINATE_LENGTH);
  raw.copy(scalar, COORDINATE_LENGTH - raw.length);
  raw.fill(0);
  return scalar;
}

function encodeUncompressed(point: Sm2Point): Buffer {
  return Buffer.concat([Buffer.of(0x04), toFixedBytes(point.x), toFixedBytes(point.y)]);
}

/** x-coordinate of `scalar`·`point` by OpenSSL's ECDH (constant-time scalar multiplication). */
function ecdhX(scalar: Buffer, point: Sm2Point): bigint {
  const ecdh = createECDH('SM2');
  ecdh.setPrivateKey(scalar);
  const secret = ecdh.computeSecret(encodeUncompressed(point));
  try {
    return fromBytes(secret);
  } finally {
    secret.fill(0);
  }
}

/** x of Q + R for points with different x-coordinates. */
function addX(q: Sm2Point, r: Sm2Point): bigint {
  const lambda = mod((r.y - q.y) * modInverse(mod(r.x - q.x)));
  return mod(lambda * lambda - q.x - r.x);
}

/**
 * The full point `scalar`·`point`, by OpenSSL where it can, else by the BigInt ladder.
 * Precondition: `point` is on the curve and 1 < scalar < n - 1 (so d·P ≠ ±P).
 */
function multiply(scalar: Buffer, point: Sm2Point): Sm2Point {
  const d = fromBytes(scalar);
  if (d <= 1n || d >= N - 1n) throw new Sm2DecryptionError();
  return opensslDoesSm2Ecdh() ? multiplyWithOpenSsl(scalar, point) : multiplyByLadder(d, point);
}

let sm2EcdhInOpenSsl: boolean | undefined;

/** Whether this Node's OpenSSL computes ECDH on the SM2 curve (Node 20 and 22 yes, 24 and 26 no). */
function opensslDoesSm2Ecdh(): boolean {
  if (sm2EcdhInOpenSsl === undefined) {
    try {
      const one = createECDH('SM2');
      one.generateKeys();
      const other = createECDH('SM2');
      other.generateKeys();
      one.computeSecret(other.getPublicKey()).fill(0);
      sm2EcdhInOpenSsl = true;
    } catch {
      sm2EcdhInOpenSsl = false;
    }
  }
  return sm2EcdhInOpenSsl;
}

/**
 * OpenSSL gives x(d·P) and x((d+1)·P); of the two points with x-coordinate x(d·P), the one that,
 * added to P, has x-coordinate x((d+1)·P) is d·P.
 */
function multiplyWithOpenSsl(scalar: Buffer, point: Sm2Point): Sm2Point {
  const d = fromBytes(scalar);
  const x = ecdhX(scalar, point);
  const nextScalar = toFixedBytes(d + 1n);
  let xNext: bigint;
  try {
    xNext = ecdhX(nextScalar, point);
  } finally {
    nextScalar.fill(0);
  }
  if (x === point.x) throw new Sm2DecryptionError();
  // p ≡ 3 (mod 4): a square root of c is c^((p+1)/4).
  const y = modPow(curveRightSide(x), (P + 1n) / 4n);
  const candidate = { x, y };
  if (!isOnCurve(candidate)) throw new Sm2DecryptionError();
  return addX(candidate, point) === xNext ? candidate : { x, y: mod(-y) };
}

// --- the ladder, for a Node whose OpenSSL will not do SM2 ECDH -----------------------------------

/** A point in Jacobian coordinates: (X/Z², Y/Z³); every coordinate reduced mod p. */
interface JacobianPoint {
  readonly x: bigint;
  readonly y: bigint;
  readonly z: bigint;
}

// The ladder runs over d + n or d + 2n, whichever has exactly this many bits (n < 2^256 < 2n), so
// that its length does not depend on d; both are d modulo the group order.
const LADDER_BITS = 257n;
const COORDINATE_MASK = (1n << 256n) - 1n;

/**
 * `scalar`·`point` (1 < scalar < n - 1, `point` on the curve) by a Montgomery ladder: R1 - R0 = P
 * throughout, one addition and one doubling per bit, the operands swapped by masks, not branches.
 * BigInt arithmetic is not constant time, so neither is this; see the module's comment.
 */
export function multiplyByLadder(scalar: bigint, point: Sm2Point): Sm2Point {
  const k = fixedLengthScalar(scalar);
  let r0: JacobianPoint = { x: point.x, y: point.y, z: 1n };
  let r1 = doubleJacobian(r0);
  for (let bit = LADDER_BITS - 2n; bit >= 0n; bit--) {
    const set = (k >> bit) & 1n;
    [r0, r1] = conditionalSwap(r0, r1, set);
    r1 = addJacobian(r0, r1);
    r0 = doubleJacobian(r0);
    [r0, r1] = conditionalSwap(r0, r1, set);
  }
  const product = toAffine(r0);
  if (!isOnCurve(product)) throw new Sm2DecryptionError();
  return product;
}

function fixedLengthScalar(scalar: bigint): bigint {
  const plusN = scalar + N;
  const plusTwoN = plusN + N;
  const plusNIsLongEnough = plusN >> (LADDER_BITS - 1n); // 1n or 0n
  return plusNIsLongEnough * plusN + (1n - plusNIsLongEnough) * plusTwoN;
}

function conditionalSwap(a: JacobianPoint, b: JacobianPoint, bit: bigint): [JacobianPoint, JacobianPoint] {
  const mask = bit * COORDINATE_MASK;
  const x = (a.x ^ b.x) & mask;
  const y = (a.y ^ b.y) & mask;
  const z = (a.z ^ b.z) & mask;
  return [
    { x: a.x ^ x, y: a.y ^ y, z: a.z ^ z },
    { x: b.x ^ x, y: b.y ^ y, z: b.z ^ z },
  ];
}

/** 2·P for a = -3 (dbl-2001-b, Bernstein and Lange's Explicit-Formulas Database). */
function doubleJacobian(p: JacobianPoint): JacobianPoint {
  const delta = mod(p.z * p.z);
  const gamma = mod(p.y * p.y);
  const beta = mod(p.x * gamma);
  const alpha = mod(3n * (p.x - delta) * (p.x + delta));
  const x = mod(alpha * alpha - 8n * beta);
  const z = mod((p.y + p.z) * (p.y + p.z) - gamma - delta);
  const y = mod(alpha * (4n * beta - x) - 8n * gamma * gamma);
  return { x, y, z };
}

/** P + Q for P ≠ ±Q (add-2007-bl); the ladder never adds a point to itself or its negative. */
function addJacobian(p: JacobianPoint, q: JacobianPoint): JacobianPoint {
  const z1z1 = mod(p.z * p.z);
  const z2z2 = mod(q.z * q.z);
  const u1 = mod(p.x * z2z2);
  const u2 = mod(q.x * z1z1);
  const s1 = mod(p.y * q.z * z2z2);
  const s2 = mod(q.y * p.z * z1z1);
  const h = mod(u2 - u1);
  const i = mod(4n * h * h);
  const j = mod(h * i);
  const r = mod(2n * (s2 - s1));
  const v = mod(u1 * i);
  const x = mod(r * r - j - 2n * v);
  const y = mod(r * (v - x) - 2n * s1 * j);
  const z = mod(((p.z + q.z) * (p.z + q.z) - z1z1 - z2z2) * h);
  return { x, y, z };
}

function toAffine(p: JacobianPoint): Sm2Point {
  const zInverse = modInverse(p.z);
  const zInverseSquared = mod(zInverse * zInverse);
  return { x: mod(p.x * zInverseSquared), y: mod(p.y * zInverseSquared * zInverse) };
}

/** KDF of GM/T 0003.4 §5.4.3 with SM3: SM3(z ‖ ct) for ct = 1, 2, … (32-bit big-endian), truncated. */
function kdf(z: Buffer, lengthInBytes: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 1; blocks.length * SM3_LENGTH < lengthInBytes; counter++) {
    const ct = Buffer.alloc(4);
    ct.writeUInt32BE(counter);
    blocks.push(createHash('sm3').update(z).update(ct).digest());
  }
  return Buffer.concat(blocks).subarray(0, lengthInBytes);
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

function isAllZero(bytes: Buffer): boolean {
  let accumulated = 0;
  for (const byte of bytes) accumulated |= byte;
  return accumulated === 0;
}

function c3Of(shared: Sm2Point, message: Buffer): Buffer {
  return createHash('sm3').update(toFixedBytes(shared.x)).update(message).update(toFixedBytes(shared.y)).digest();
}

function maskOf(shared: Sm2Point, lengthInBytes: number): Buffer {
  return kdf(Buffer.concat([toFixedBytes(shared.x), toFixedBytes(shared.y)]), lengthInBytes);
}

// --- keys --------------------------------------------------------------------------------------

export interface Sm2KeyPair {
  /** The private scalar d, 32 bytes big-endian. */
  readonly privateKey: SecretBytes;
  /** DER SubjectPublicKeyInfo. */
  readonly publicKeySpki: Buffer;
}

export function generateSm2KeyPair(): Sm2KeyPair {
  for (;;) {
    const ecdh = createECDH('SM2');
    ecdh.generateKeys();
    const privateKey = SecretBytes.adopt(privateScalarOf(ecdh));
    const d = fromBytes(privateKey.unsafeReveal());
    // multiply() needs 1 < d < n - 1; OpenSSL draws from [1, n - 1], so this almost never loops.
    if (d > 1n && d < N - 1n) return { privateKey, publicKeySpki: Buffer.concat([SM2_SPKI_PREFIX, ecdh.getPublicKey()]) };
    privateKey.wipe();
  }
}

/**
 * The point of an SM2 SubjectPublicKeyInfo (exactly the DER that `generateSm2KeyPair` and
 * OpenSSL write: uncompressed point); undefined unless it is one, with a point on the curve.
 * The identity cannot pass: its encoding (one zero byte) has another length, and (0, 0) is not
 * on the curve (b ≠ 0). The cofactor is 1, so every point that passes has the group's order n.
 */
export function sm2PointFromSpki(spki: Buffer): Sm2Point | undefined {
  if (spki.length !== SM2_SPKI_PREFIX.length + 65 || !spki.subarray(0, SM2_SPKI_PREFIX.length).equals(SM2_SPKI_PREFIX)) return undefined;
  const encoded = spki.subarray(SM2_SPKI_PREFIX.length);
  if (encoded[0] !== 0x04) return undefined;
  const point = { x: fromBytes(encoded.subarray(1, 33)), y: fromBytes(encoded.subarray(33, 65)) };
  return isOnCurve(point) ? point : undefined;
}

// --- encryption -----------------------------------------------------------------------------

/** Encrypts `message` (1 byte or more) to `recipient`; the GM/T 0009 DER form. */
export function sm2Encrypt(recipient: Sm2Point, message: Buffer): Buffer {
  if (!isOnCurve(recipient)) throw new Error('SM2 recipient is not a point of the curve');
  if (message.length === 0) throw new Error('SM2 encrypts at least one byte');
  for (;;) {
    const ephemeral = createECDH('SM2');
    ephemeral.generateKeys();
    const k = privateScalarOf(ephemeral);
    try {
      const d = fromBytes(k);
      if (d <= 1n || d >= N - 1n) continue;
      const c1 = ephemeral.getPublicKey();
      const shared = multiply(k, recipient);
      const mask = maskOf(shared, message.length);
      // GM/T 0003.4 A.1 step A5: an all-zero mask would leave M in the clear; draw another k.
      if (isAllZero(mask)) continue;
      return encodeSm2Cipher({
        x: fromBytes(c1.subarray(1, 33)),
        y: fromBytes(c1.subarray(33, 65)),
        hash: c3Of(shared, message),
        ciphertext: xor(message, mask),
      });
    } finally {
      k.fill(0);
    }
  }
}

/** Decrypts a GM/T 0009 SM2 ciphertext; every failure is the one `Sm2DecryptionError`. */
export function sm2Decrypt(privateKey: SecretBytes, ciphertext: Buffer): SecretBytes {
  const parsed = decodeSm2Cipher(ciphertext);
  const c1 = { x: parsed.x, y: parsed.y };
  // Precondition: C1 is a point of the curve (GM/T 0003.4 B.1 step B1). The cofactor is 1, so
  // every such point is in the prime-order group and h·C1 is never the point at infinity.
  if (!isOnCurve(c1)) throw new Sm2DecryptionError();
  let shared: Sm2Point;
  try {
    shared = multiply(privateKey.unsafeReveal(), c1);
  } catch {
    throw new Sm2DecryptionError();
  }
  const mask = maskOf(shared, parsed.ciphertext.length);
  const message = xor(parsed.ciphertext, mask);
  const expected = c3Of(shared, message);
  const ok = !isAllZero(mask) && timingSafeEqual(expected, parsed.hash);
  mask.fill(0);
  if (!ok) {
    message.fill(0);
    throw new Sm2DecryptionError();
  }
  return SecretBytes.adopt(message);
}

// --- GM/T 0009 DER ------------------------------------------------------------------------------

export interface Sm2Cipher {
  readonly x: bigint;
  readonly y: bigint;
  readonly hash: Buffer;
  readonly ciphertext: Buffer;
}

const TAG_SEQUENCE = 0x30;
const TAG_INTEGER = 0x02;
const TAG_OCTET_STRING = 0x04;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.of(tag), encodeLength(value.length), value]);
}

function encodeInteger(value: bigint): Buffer {
  const hex = value.toString(16);
  const bytes = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  // DER INTEGERs are signed: a leading 1 bit needs a 0x00 in front to stay positive.
  return tlv(TAG_INTEGER, ((bytes[0] ?? 0) & 0x80) !== 0 ? Buffer.concat([Buffer.of(0), bytes]) : bytes);
}

export function encodeSm2Cipher(cipher: Sm2Cipher): Buffer {
  return tlv(
    TAG_SEQUENCE,
    Buffer.concat([
      encodeInteger(cipher.x),
      encodeInteger(cipher.y),
      tlv(TAG_OCTET_STRING, cipher.hash),
      tlv(TAG_OCTET_STRING, cipher.ciphertext),
    ]),
  );
}

/** A strict DER reader over one buffer: minimal lengths, nothing left over. */
class DerReader {
  #offset = 0;
  constructor(private readonly bytes: Buffer) {}

  read(tag: number): Buffer {
    if (this.bytes[this.#offset] !== tag) throw new Sm2DecryptionError();
    const first = this.bytes[this.#offset + 1];
    if (first === undefined) throw new Sm2DecryptionError();
    let length = first;
    let header = 2;
    if (first >= 0x80) {
      const count = first & 0x7f;
      // Precondition: long form only for lengths ≥ 128, in at most 3 bytes, no leading zero.
      if (count < 1 || count > 3 || this.bytes[this.#offset + 2] === 0) throw new Sm2DecryptionError();
      length = 0;
      for (let i = 0; i < count; i++) {
        const byte = this.bytes[this.#offset + 2 + i];
        if (byte === undefined) throw new Sm2DecryptionError();
        length = length * 256 + byte;
      }
      if (length < 0x80) throw new Sm2DecryptionError();
      header += count;
    }
    const start = this.#offset + header;
    if (start + length > this.bytes.length) throw new Sm2DecryptionError();
    this.#offset = start + length;
    return this.bytes.subarray(start, start + length);
  }

  readInteger(): bigint {
    const value = this.read(TAG_INTEGER);
    // Precondition: a non-negative INTEGER in minimal form.
    if (value.length === 0 || ((value[0] ?? 0) & 0x80) !== 0) throw new Sm2DecryptionError();
    if (value.length > 1 && value[0] === 0 && ((value[1] ?? 0) & 0x80) === 0) throw new Sm2DecryptionError();
    return fromBytes(value);
  }

  atEnd(): boolean {
    return this.#offset === this.bytes.length;
  }
}

export function decodeSm2Cipher(der: Buffer): Sm2Cipher {
  const outer = new DerReader(der);
  const body = outer.read(TAG_SEQUENCE);
  if (!outer.atEnd()) throw new Sm2DecryptionError();
  const reader = new DerReader(body);
  const x = reader.readInteger();
  const y = reader.readInteger();
  const hash = reader.read(TAG_OCTET_STRING);
  const ciphertext = reader.read(TAG_OCTET_STRING);
  if (!reader.atEnd() || hash.length !== SM3_LENGTH || ciphertext.length === 0) throw new Sm2DecryptionError();
  return { x, y, hash, ciphertext };
}
