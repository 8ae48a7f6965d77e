import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  decodeSm2Cipher,
  encodeSm2Cipher,
  generateSm2KeyPair,
  isOnCurve,
  multiplyByLadder,
  type Sm2Point,
  sm2Decrypt,
  Sm2DecryptionError,
  sm2Encrypt,
  sm2PointFromSpki,
} from '../../src/crypto/sm2.js';
import { opensslSm2Decrypt, opensslSm2Encrypt, opensslSm2KeyPair } from '../support/openssl-sm2.js';
import { sm2Spki, unsafeSm2PublicKeys } from '../support/unsafe-public-keys.js';

function tlv(tag: number, value: Buffer): Buffer {
  const length = value.length < 0x80 ? Buffer.of(value.length) : Buffer.of(0x81, value.length);
  return Buffer.concat([Buffer.of(tag), length, value]);
}

const MATERIAL_32 = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

describe('SM2 public-key encryption (GM/T 0003.4, GM/T 0009 DER)', () => {
  const pair = generateSm2KeyPair();

  it('decrypts what `openssl pkeyutl -encrypt` makes for our public key, for 16, 32 and odd lengths', () => {
    for (const length of [1, 16, 31, 32, 33, 64, 100]) {
      const message = randomBytes(length);
      const ciphertext = opensslSm2Encrypt(pair.publicKeySpki, message);
      assert.deepEqual(sm2Decrypt(pair.privateKey, ciphertext).unsafeReveal(), message, `length ${length}`);
    }
  });

  it('encrypts so that `openssl pkeyutl -decrypt` recovers the message', () => {
    const recipient = opensslSm2KeyPair();
    const point = sm2PointFromSpki(recipient.publicKeySpki);
    assert.ok(point, 'openssl writes an SM2 SubjectPublicKeyInfo Arca reads');
    for (const length of [1, 16, 32, 100]) {
      const message = randomBytes(length);
      assert.deepEqual(opensslSm2Decrypt(recipient.privateKeyPem, sm2Encrypt(point, message)), message, `length ${length}`);
    }
  });

  it('round-trips through its own encrypt and decrypt, with a fresh ciphertext every time', () => {
    const point = sm2PointFromSpki(pair.publicKeySpki);
    assert.ok(point);
    const a = sm2Encrypt(point, MATERIAL_32);
    const b = sm2Encrypt(point, MATERIAL_32);
    assert.notDeepEqual(a, b);
    assert.deepEqual(sm2Decrypt(pair.privateKey, a).unsafeReveal(), MATERIAL_32);
    assert.deepEqual(sm2Decrypt(pair.privateKey, b).unsafeReveal(), MATERIAL_32);
  });

  describe('refuses, with the one Sm2DecryptionError', () => {
    const point = sm2PointFromSpki(pair.publicKeySpki);
    assert.ok(point);
    const good = opensslSm2Encrypt(pair.publicKeySpki, MATERIAL_32);
    const parsed = decodeSm2Cipher(good);
    const refuses = (ciphertext: Buffer): void => {
      assert.throws(() => sm2Decrypt(pair.privateKey, ciphertext), Sm2DecryptionError);
    };

    it('a flipped bit anywhere in C3 or C2', () => {
      refuses(encodeSm2Cipher({ ...parsed, hash: Buffer.from(parsed.hash.map((b, i) => (i === 5 ? b ^ 1 : b))) }));
      refuses(encodeSm2Cipher({ ...parsed, ciphertext: Buffer.from(parsed.ciphertext.map((b, i) => (i === 0 ? b ^ 0x80 : b))) }));
    });

    it('a C1 that is not a point of the curve, or is the negated point', () => {
      refuses(encodeSm2Cipher({ ...parsed, y: parsed.y ^ 1n }));
      refuses(encodeSm2Cipher({ ...parsed, x: 0n, y: 0n }));
      const p = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF');
      refuses(encodeSm2Cipher({ ...parsed, y: p - parsed.y }));
      refuses(encodeSm2Cipher({ ...parsed, x: parsed.x + p }));
    });

    it('a ciphertext for another key', () => {
      const other = generateSm2KeyPair();
      assert.throws(() => sm2Decrypt(other.privateKey, good), Sm2DecryptionError);
    });

    it('malformed DER: truncated, trailing bytes, a short hash, an empty C2, a non-minimal or negative INTEGER, garbage', () => {
      refuses(good.subarray(0, good.length - 1));
      refuses(Buffer.concat([good, Buffer.of(0)]));
      refuses(encodeSm2Cipher({ ...parsed, hash: parsed.hash.subarray(1) }));
      refuses(encodeSm2Cipher({ ...parsed, ciphertext: Buffer.alloc(0) }));
      refuses(Buffer.alloc(0));
      refuses(randomBytes(120));
      // The same ciphertext with x written non-minimally (a needless 0x00) or as a negative number.
      const minimal = (n: bigint): Buffer => {
        const digits = n.toString(16);
        const bytes = Buffer.from(digits.length % 2 === 0 ? digits : `0${digits}`, 'hex');
        return bytes[0]! >= 0x80 ? Buffer.concat([Buffer.of(0), bytes]) : bytes;
      };
      const body = (x: Buffer): Buffer =>
        Buffer.concat([tlv(0x02, x), tlv(0x02, minimal(parsed.y)), tlv(0x04, parsed.hash), tlv(0x04, parsed.ciphertext)]);
      const minimalX = minimal(parsed.x);
      const sm2Cipher = (x: Buffer): Buffer => tlv(0x30, body(x));
      assert.deepEqual(sm2Decrypt(pair.privateKey, sm2Cipher(minimalX)).unsafeReveal(), MATERIAL_32, 'the hand-built form opens');
      refuses(sm2Cipher(Buffer.concat([Buffer.of(0, 0), minimalX.subarray(minimalX[0] === 0 ? 1 : 0)])));
      refuses(sm2Cipher(Buffer.concat([Buffer.of(0x80), minimalX])));
    });
  });

  it('reads only SM2 public keys whose point is on the curve', () => {
    assert.ok(isOnCurve(sm2PointFromSpki(pair.publicKeySpki)!));
    const tampered = Buffer.from(pair.publicKeySpki);
    tampered[tampered.length - 1]! ^= 1;
    assert.equal(sm2PointFromSpki(tampered), undefined);
    assert.equal(sm2PointFromSpki(pair.publicKeySpki.subarray(1)), undefined);
    assert.equal(sm2PointFromSpki(Buffer.alloc(0)), undefined);
  });

  for (const { label, spki } of unsafeSm2PublicKeys(generateSm2KeyPair().publicKeySpki)) {
    it(`refuses as a public key ${label}`, () => {
      assert.equal(sm2PointFromSpki(spki), undefined);
    });
  }

  it('reads a genuine key rebuilt by the crafting helper (so the refusals above are the points, not the DER)', () => {
    const genuine = generateSm2KeyPair().publicKeySpki;
    assert.deepEqual(sm2Spki(genuine.subarray(genuine.length - 65)), genuine);
    assert.ok(sm2PointFromSpki(sm2Spki(genuine.subarray(genuine.length - 65))));
  });

  it('the DER codec writes what openssl writes', () => {
    const ciphertext = opensslSm2Encrypt(pair.publicKeySpki, MATERIAL_32);
    assert.deepEqual(encodeSm2Cipher(decodeSm2Cipher(ciphertext)), ciphertext);
  });
});

// The BigInt ladder is what multiplies on Node 24 and later, whose OpenSSL refuses SM2 ECDH. It is
// checked here on every Node against OpenSSL's fixed-base multiplication (ECDH.setPrivateKey
// computes d·G on every version): d·(e·G) must be (d·e mod n)·G.
describe('SM2 scalar multiplication by the BigInt ladder', () => {
  const N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');

  function opensslTimesG(scalar: bigint): Sm2Point {
    const ecdh = createECDH('SM2');
    ecdh.setPrivateKey(Buffer.from(scalar.toString(16).padStart(64, '0'), 'hex'));
    const encoded = ecdh.getPublicKey();
    return { x: BigInt(`0x${encoded.subarray(1, 33).toString('hex')}`), y: BigInt(`0x${encoded.subarray(33, 65).toString('hex')}`) };
  }

  function randomScalar(): bigint {
    return (BigInt(`0x${randomBytes(40).toString('hex')}`) % (N - 4n)) + 2n;
  }

  it('agrees with OpenSSL for the generator, random points and the edges of the scalar range', () => {
    const generator = opensslTimesG(1n);
    for (const d of [2n, 3n, N - 2n, randomScalar(), randomScalar(), randomScalar()]) {
      assert.deepEqual(multiplyByLadder(d, generator), opensslTimesG(d), `d·G for d = ${d.toString(16)}`);
      const e = randomScalar();
      assert.deepEqual(multiplyByLadder(d, opensslTimesG(e)), opensslTimesG((d * e) % N), 'd·(e·G) = (d·e)·G');
    }
  });

  it('yields points on the curve, whichever of d + n and d + 2n it runs over', () => {
    // Scalars just below and above the place where d + n reaches 2^256.
    const boundary = (1n << 256n) - N;
    for (const d of [boundary - 1n, boundary, boundary + 1n]) {
      const product = multiplyByLadder(d, opensslTimesG(1n));
      assert.ok(isOnCurve(product));
      assert.deepEqual(product, opensslTimesG(d));
    }
  });
});
