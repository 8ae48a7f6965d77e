import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { AeadAlgorithm, AeadAuthenticationError } from '../../src/crypto/aead.js';
import { Ghash } from '../../src/crypto/ghash.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import {
  createSm4BlockEncryptor,
  createSm4Gcm,
  sm4EncryptBlock,
  sm4GcmDecryptWithIv,
  sm4GcmEncryptWithIv,
} from '../../src/crypto/sm4-gcm.js';
import { itBehavesAsAGcmAead } from './aead-behaviour.js';
import * as wycheproof from './wycheproof.js';

const vectors = wycheproof.load('sm4_gcm_test.json');

// SM4-GCM here takes 12-byte IVs only; the 39 cases with other IV sizes are refused.
const EXPECTED_PASSED = 65;
const EXPECTED_REFUSED = 39;

type Outcome = 'passed' | 'refused';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

function caseTitle(group: wycheproof.AeadGroup, c: wycheproof.AeadCase): string {
  const what =
    group.ivSize !== 96
      ? 'is refused: only 12-byte IVs'
      : c.result === 'valid'
        ? 'gives the published ciphertext and tag, and decrypts back'
        : 'is rejected with AeadAuthenticationError';
  return `tcId ${c.tcId} (${c.flags.join(', ')}; ${group.ivSize}-bit IV) ${what}`;
}

function runCase(c: wycheproof.DecidedCase): Outcome {
  const { key, iv, aad, msg, ct, tag } = wycheproof.decode(c);

  if (iv.length !== 12) {
    const onlyTwelveByteIvs = (error: unknown): boolean =>
      error instanceof Error && !(error instanceof AeadAuthenticationError) && /only 12-byte IVs/.test(error.message);
    assert.throws(() => sm4GcmEncryptWithIv(key, iv, msg, aad), onlyTwelveByteIvs);
    assert.throws(() => sm4GcmDecryptWithIv(key, iv, ct, tag, aad), onlyTwelveByteIvs);
    return 'refused';
  }
  if (c.result === 'valid') {
    wycheproof.assertValidCase(c, sm4GcmEncryptWithIv, sm4GcmDecryptWithIv);
  } else {
    assert.throws(() => sm4GcmDecryptWithIv(key, iv, ct, tag, aad), AeadAuthenticationError);
  }
  return 'passed';
}

describe('Wycheproof sm4_gcm_test.json through sm4GcmEncryptWithIv / sm4GcmDecryptWithIv', () => {
  const outcomes = wycheproof.itForEachCase(vectors, caseTitle, runCase);

  it(`every case ran: ${EXPECTED_PASSED} passed (all 12-byte IVs) + ${EXPECTED_REFUSED} refused = ${vectors.numberOfTests}`, () => {
    const twelveByteIvCases = vectors.testGroups.filter((g) => g.ivSize === 96).flatMap((g) => g.tests.map((c) => c.tcId));
    const passed = [...outcomes].filter(([, o]) => o === 'passed').map(([id]) => id);
    const refused = [...outcomes.values()].filter((o) => o === 'refused').length;
    assert.equal(vectors.numberOfTests, 104);
    assert.equal(outcomes.size, vectors.numberOfTests);
    assert.deepEqual(
      passed.sort((a, b) => a - b),
      twelveByteIvCases.sort((a, b) => a - b),
    );
    assert.equal(passed.length, EXPECTED_PASSED);
    assert.equal(refused, EXPECTED_REFUSED);
  });
});

describe('SM4-GCM known answers outside Wycheproof', () => {
  it('RFC 8998 A.1 gives the published ciphertext and tag, and is Wycheproof tcId 1', () => {
    const rfc = {
      key: '0123456789abcdeffedcba9876543210',
      iv: '00001234567800000000abcd',
      aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
      msg:
        'aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd' +
        'eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa',
      ct:
        '17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735' +
        'd82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d',
      tag: '83de3541e4c2b58177e065a9bf7b62ec',
    };
    const sealed = sm4GcmEncryptWithIv(hex(rfc.key), hex(rfc.iv), hex(rfc.msg), hex(rfc.aad));
    assert.equal(sealed.ciphertext.toString('hex'), rfc.ct);
    assert.equal(sealed.tag.toString('hex'), rfc.tag);

    const tcId1 = vectors.testGroups.flatMap((g) => g.tests).find((c) => c.tcId === 1);
    assert.ok(tcId1);
    const { key, iv, aad, msg, ct, tag } = tcId1;
    assert.deepEqual({ key, iv, aad, msg, ct, tag }, rfc);
  });

  it('GB/T 32907-2016: SM4 encrypts 0123456789abcdeffedcba9876543210 under itself to 681edf34d206965e86b3e94f536e4246', () => {
    const keyAndPlaintext = hex('0123456789abcdeffedcba9876543210');
    const block = sm4EncryptBlock(keyAndPlaintext, keyAndPlaintext);
    assert.equal(block.toString('hex'), '681edf34d206965e86b3e94f536e4246');
  });

  it('GB/T 32907-2016: 1,000,000 SM4 encryptions in a row give 595298c7c6fd271f0402f804c33d3f66', () => {
    const keyAndPlaintext = hex('0123456789abcdeffedcba9876543210');
    const encryptBlock = createSm4BlockEncryptor(keyAndPlaintext);
    let block: Buffer = keyAndPlaintext;
    for (let i = 0; i < 1_000_000; i++) block = encryptBlock(block);
    assert.equal(block.toString('hex'), '595298c7c6fd271f0402f804c33d3f66');
  });

  it('GHASH agrees with OpenSSL AES-256-GCM tags for 0 to 70 bytes of ciphertext and additional data', () => {
    // Independent check of the GF(2^128) arithmetic: tag = E_K(J0) ⊕ GHASH_H(A, C), H = E_K(0).
    const key = randomBytes(32);
    const aesBlock = (block: Buffer): Buffer => createCipheriv('aes-256-ecb', key, null).setAutoPadding(false).update(block);
    const ghash = new Ghash(aesBlock(Buffer.alloc(16)));
    for (let length = 0; length <= 70; length++) {
      const iv = randomBytes(12);
      const aad = randomBytes((length * 7) % 71);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad);
      const ciphertext = cipher.update(randomBytes(length));
      cipher.final();
      const tag = aesBlock(Buffer.concat([iv, Buffer.from([0, 0, 0, 1])]));
      ghash.xorDigestInto(tag, aad, ciphertext);
      assert.deepEqual(tag, cipher.getAuthTag(), `ciphertext ${length} bytes, aad ${aad.length}`);
    }
  });
});

describe('SM4-GCM preconditions', () => {
  const key = randomBytes(16);
  const iv = randomBytes(12);
  const aad = Buffer.from('aad');

  it('SM4-GCM refuses a 16-byte IV', () => {
    assert.throws(() => sm4GcmEncryptWithIv(key, randomBytes(16), Buffer.alloc(1), aad), /12-byte IVs/);
  });

  it('SM4-GCM refuses an empty IV', () => {
    assert.throws(() => sm4GcmEncryptWithIv(key, Buffer.alloc(0), Buffer.alloc(1), aad), /12-byte IVs/);
  });

  it('SM4-GCM refuses a 15-byte or 32-byte key, raw or as an Aead', () => {
    for (const length of [15, 32]) {
      assert.throws(() => sm4GcmEncryptWithIv(randomBytes(length), iv, Buffer.alloc(1), aad), /16-byte key/);
      assert.throws(() => createSm4Gcm(SecretBytes.random(length)), /16-byte key/);
    }
  });

  it('SM4-GCM rejects a tag shorter or longer than 16 bytes with AeadAuthenticationError', () => {
    const { ciphertext, tag } = sm4GcmEncryptWithIv(key, iv, Buffer.from('message'), aad);
    for (const badTag of [tag.subarray(0, 12), tag.subarray(0, 15), Buffer.concat([tag, Buffer.alloc(1)])]) {
      assert.throws(() => sm4GcmDecryptWithIv(key, iv, ciphertext, badTag, aad), AeadAuthenticationError);
    }
  });

  it('SM4-GCM refuses a plaintext longer than 2^32 - 2 blocks before touching it', () => {
    // A stand-in that only claims the length: the check must come before any byte is read.
    const tooLong = (): Uint8Array =>
      new Proxy(new Uint8Array(0), {
        get: (target, property) => (property === 'length' ? (2 ** 32 - 2) * 16 + 1 : Reflect.get(target, property)),
      });
    assert.throws(() => sm4GcmEncryptWithIv(key, iv, tooLong(), aad), /2\^32 - 2 blocks/);
    assert.throws(() => sm4GcmDecryptWithIv(key, iv, tooLong(), Buffer.alloc(16), aad), AeadAuthenticationError);
  });
});

describe('SM4-GCM Aead', () => {
  itBehavesAsAGcmAead({
    algorithm: AeadAlgorithm.Sm4Gcm,
    keyLengthInBytes: 16,
    create: createSm4Gcm,
    encryptWithIv: sm4GcmEncryptWithIv,
    decryptWithIv: sm4GcmDecryptWithIv,
    vectors,
  });
});
