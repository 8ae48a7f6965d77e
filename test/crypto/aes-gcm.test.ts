import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createAead } from '../../src/crypto/aead-factory.js';
import { AeadAlgorithm, AeadAuthenticationError } from '../../src/crypto/aead.js';
import {
  aesGcmDecryptWithIv,
  aesGcmEncryptWithIv,
  createAes256Gcm,
} from '../../src/crypto/aes-gcm.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';

// Wycheproof AEAD file layout (see test/vectors/wycheproof/SOURCE.md).
interface AeadCase {
  tcId: number;
  comment: string;
  flags: string[];
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface AeadGroup {
  ivSize: number;
  keySize: number;
  tagSize: number;
  tests: AeadCase[];
}
interface AeadFile {
  numberOfTests: number;
  testGroups: AeadGroup[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../vectors/wycheproof/aes_gcm_test.json', import.meta.url), 'utf8'),
) as AeadFile;

// Node refuses GCM IVs longer than 128 bytes; Arca only ever uses 12.
const NODE_MAX_GCM_IV_LENGTH_IN_BYTES = 128;
const EXPECTED_PASSED = 313;
const EXPECTED_UNSUPPORTED_TC_IDS = [268, 272, 276];

type Outcome = 'passed' | 'unsupported';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

function caseTitle(group: AeadGroup, c: AeadCase): string {
  const what =
    group.ivSize > NODE_MAX_GCM_IV_LENGTH_IN_BYTES * 8
      ? 'is refused by Node and counted as unsupported'
      : c.result === 'valid'
        ? 'gives the published ciphertext and tag, and decrypts back'
        : 'is rejected';
  return `tcId ${c.tcId} (${c.flags.join(', ')}; ${group.keySize}-bit key, ${group.ivSize}-bit IV) ${what}`;
}

function runCase(c: AeadCase): Outcome {
  const key = hex(c.key);
  const iv = hex(c.iv);
  const aad = hex(c.aad);
  const msg = hex(c.msg);
  const ct = hex(c.ct);
  const tag = hex(c.tag);

  if (iv.length > NODE_MAX_GCM_IV_LENGTH_IN_BYTES) {
    assert.throws(() => aesGcmEncryptWithIv(key, iv, msg, aad), { code: 'ERR_CRYPTO_INVALID_IV' });
    assert.throws(() => aesGcmDecryptWithIv(key, iv, ct, tag, aad), {
      code: 'ERR_CRYPTO_INVALID_IV',
    });
    return 'unsupported';
  }
  switch (c.result) {
    case 'valid': {
      const sealed = aesGcmEncryptWithIv(key, iv, msg, aad, tag.length);
      assert.equal(sealed.ciphertext.toString('hex'), c.ct);
      assert.equal(sealed.tag.toString('hex'), c.tag);
      assert.equal(aesGcmDecryptWithIv(key, iv, ct, tag, aad).toString('hex'), c.msg);
      return 'passed';
    }
    case 'invalid':
      if (c.flags.includes('ZeroLengthIv')) {
        assert.throws(() => aesGcmEncryptWithIv(key, iv, msg, aad), {
          code: 'ERR_CRYPTO_INVALID_IV',
        });
        assert.throws(() => aesGcmDecryptWithIv(key, iv, ct, tag, aad), {
          code: 'ERR_CRYPTO_INVALID_IV',
        });
      } else {
        assert.throws(() => aesGcmDecryptWithIv(key, iv, ct, tag, aad), AeadAuthenticationError);
      }
      return 'passed';
    case 'acceptable':
      throw new Error(`tcId ${c.tcId}: no 'acceptable' case was expected in this file`);
  }
}

describe('Wycheproof aes_gcm_test.json through aesGcmEncryptWithIv / aesGcmDecryptWithIv', () => {
  const outcomes = new Map<number, Outcome>();
  for (const group of vectors.testGroups) {
    for (const c of group.tests) {
      it(caseTitle(group, c), () => {
        outcomes.set(c.tcId, runCase(c));
      });
    }
  }

  it(`every case ran: ${EXPECTED_PASSED} passed + ${EXPECTED_UNSUPPORTED_TC_IDS.length} unsupported = ${vectors.numberOfTests}`, () => {
    const unsupported = [...outcomes].filter(([, o]) => o === 'unsupported').map(([id]) => id);
    const passed = [...outcomes.values()].filter((o) => o === 'passed').length;
    assert.equal(vectors.numberOfTests, 316);
    assert.equal(outcomes.size, vectors.numberOfTests);
    assert.equal(passed, EXPECTED_PASSED);
    assert.deepEqual(unsupported.sort((a, b) => a - b), EXPECTED_UNSUPPORTED_TC_IDS);
  });
});

describe('AES-256-GCM Aead', () => {
  const key = SecretBytes.random(32);
  const aead = createAes256Gcm(key);
  const plaintext = Buffer.from('the quick brown fox jumps over the lazy dog');
  const aad = Buffer.from('additional data');

  it('says it is AES-256-GCM', () => {
    assert.equal(aead.algorithm, AeadAlgorithm.Aes256Gcm);
  });

  it('round-trips plaintext of 0, 1, 16, 17 and 4096 bytes', async () => {
    for (const length of [0, 1, 16, 17, 4096]) {
      const message = Buffer.alloc(length, 0x5a);
      const sealed = await aead.encrypt(message, aad);
      assert.equal(sealed.length, 12 + length + 16);
      assert.deepEqual(await aead.decrypt(sealed, aad), message);
    }
  });

  it('lays out the sealed bytes as iv(12) ‖ ciphertext ‖ tag(16)', async () => {
    const sealed = await aead.encrypt(plaintext, aad);
    const iv = sealed.subarray(0, 12);
    const tag = sealed.subarray(sealed.length - 16);
    const ciphertext = sealed.subarray(12, sealed.length - 16);
    const opened = aesGcmDecryptWithIv(key.unsafeReveal(), iv, ciphertext, tag, aad);
    assert.deepEqual(opened, plaintext);
  });

  it('opens every Wycheproof 256-bit-key, 96-bit-IV case laid out as iv ‖ ct ‖ tag', async () => {
    const group = vectors.testGroups.find((g) => g.keySize === 256 && g.ivSize === 96);
    assert.ok(group);
    for (const c of group.tests) {
      const caseAead = createAes256Gcm(SecretBytes.copyOf(hex(c.key)));
      const sealed = Buffer.concat([hex(c.iv), hex(c.ct), hex(c.tag)]);
      if (c.result === 'valid') {
        assert.equal((await caseAead.decrypt(sealed, hex(c.aad))).toString('hex'), c.msg);
      } else {
        await assert.rejects(caseAead.decrypt(sealed, hex(c.aad)), AeadAuthenticationError);
      }
    }
  });

  it('draws a different IV for each of 2000 encryptions of the same plaintext', async () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      ivs.add((await aead.encrypt(plaintext, aad)).subarray(0, 12).toString('hex'));
    }
    assert.equal(ivs.size, 2000);
  });

  it('rejects a flipped bit in any byte of iv, ciphertext or tag with AeadAuthenticationError', async () => {
    const sealed = await aead.encrypt(plaintext, aad);
    for (let i = 0; i < sealed.length; i++) {
      const tampered = Buffer.from(sealed);
      tampered[i] = tampered[i]! ^ 0x01;
      await assert.rejects(aead.decrypt(tampered, aad), AeadAuthenticationError, `byte ${i}`);
    }
  });

  it('rejects wrong additional data with AeadAuthenticationError and no detail', async () => {
    const sealed = await aead.encrypt(plaintext, aad);
    await assert.rejects(aead.decrypt(sealed, Buffer.from('additional datA')), (error) => {
      assert.ok(error instanceof AeadAuthenticationError);
      assert.equal(error.message, 'authentication failed');
      return true;
    });
  });

  it('rejects a key other than the one that sealed with AeadAuthenticationError', async () => {
    const sealed = await aead.encrypt(plaintext, aad);
    const other = createAes256Gcm(SecretBytes.random(32));
    await assert.rejects(other.decrypt(sealed, aad), AeadAuthenticationError);
  });

  it('rejects input shorter than 28 bytes, and a sealed value cut short, with AeadAuthenticationError', async () => {
    for (let length = 0; length < 28; length++) {
      await assert.rejects(aead.decrypt(Buffer.alloc(length), aad), AeadAuthenticationError);
    }
    const sealed = await aead.encrypt(plaintext, aad);
    await assert.rejects(aead.decrypt(sealed.subarray(0, -1), aad), AeadAuthenticationError);
    await assert.rejects(aead.decrypt(sealed.subarray(1), aad), AeadAuthenticationError);
  });

  it('refuses a 31-byte, 16-byte or 33-byte key at construction', () => {
    for (const length of [31, 16, 33]) {
      assert.throws(() => createAes256Gcm(SecretBytes.random(length)), /32-byte key/);
    }
  });

  it('stops working once its key is wiped', async () => {
    const wipedKey = SecretBytes.random(32);
    const doomed = createAes256Gcm(wipedKey);
    const sealed = await doomed.encrypt(plaintext, aad);
    wipedKey.wipe();
    await assert.rejects(doomed.encrypt(plaintext, aad), /used after wipe/);
    await assert.rejects(doomed.decrypt(sealed, aad), /used after wipe/);
  });

  it('is what createAead(AeadAlgorithm.Aes256Gcm) returns', async () => {
    const viaFactory = createAead(AeadAlgorithm.Aes256Gcm, key);
    assert.equal(viaFactory.algorithm, AeadAlgorithm.Aes256Gcm);
    assert.deepEqual(await aead.decrypt(await viaFactory.encrypt(plaintext, aad), aad), plaintext);
  });

  it('createAead refuses an algorithm it does not know', () => {
    const unknown = 'AES-128-GCM' as AeadAlgorithm;
    assert.throws(() => createAead(unknown, key), /unknown AEAD algorithm/);
  });
});
