import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAead } from '../../src/crypto/aead-factory.js';
import { AeadAlgorithm, AeadAuthenticationError } from '../../src/crypto/aead.js';
import { aesGcmDecryptWithIv, aesGcmEncryptWithIv, createAes256Gcm } from '../../src/crypto/aes-gcm.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { itBehavesAsAGcmAead } from './aead-behaviour.js';
import * as wycheproof from './wycheproof.js';

const vectors = wycheproof.load('aes_gcm_test.json');

// Node refuses GCM IVs longer than 128 bytes; Arca only ever uses 12.
const NODE_MAX_GCM_IV_LENGTH_IN_BYTES = 128;
const EXPECTED_PASSED = 313;
const EXPECTED_UNSUPPORTED_TC_IDS = [268, 272, 276];

type Outcome = 'passed' | 'unsupported';

function caseTitle(group: wycheproof.AeadGroup, c: wycheproof.AeadCase): string {
  const what =
    group.ivSize > NODE_MAX_GCM_IV_LENGTH_IN_BYTES * 8
      ? 'is refused by Node and counted as unsupported'
      : c.result === 'valid'
        ? 'gives the published ciphertext and tag, and decrypts back'
        : 'is rejected';
  return `tcId ${c.tcId} (${c.flags.join(', ')}; ${group.keySize}-bit key, ${group.ivSize}-bit IV) ${what}`;
}

function runCase(c: wycheproof.DecidedCase): Outcome {
  const { key, iv, aad, msg, ct, tag } = wycheproof.decode(c);

  if (iv.length > NODE_MAX_GCM_IV_LENGTH_IN_BYTES) {
    assert.throws(() => aesGcmEncryptWithIv(key, iv, msg, aad), { code: 'ERR_CRYPTO_INVALID_IV' });
    assert.throws(() => aesGcmDecryptWithIv(key, iv, ct, tag, aad), {
      code: 'ERR_CRYPTO_INVALID_IV',
    });
    return 'unsupported';
  }
  if (c.result === 'valid') {
    wycheproof.assertValidCase(c, aesGcmEncryptWithIv, aesGcmDecryptWithIv);
  } else if (c.flags.includes('ZeroLengthIv')) {
    assert.throws(() => aesGcmEncryptWithIv(key, iv, msg, aad), { code: 'ERR_CRYPTO_INVALID_IV' });
    assert.throws(() => aesGcmDecryptWithIv(key, iv, ct, tag, aad), {
      code: 'ERR_CRYPTO_INVALID_IV',
    });
  } else {
    assert.throws(() => aesGcmDecryptWithIv(key, iv, ct, tag, aad), AeadAuthenticationError);
  }
  return 'passed';
}

describe('Wycheproof aes_gcm_test.json through aesGcmEncryptWithIv / aesGcmDecryptWithIv', () => {
  const outcomes = wycheproof.itForEachCase(vectors, caseTitle, runCase);

  it(`every case ran: ${EXPECTED_PASSED} passed + ${EXPECTED_UNSUPPORTED_TC_IDS.length} unsupported = ${vectors.numberOfTests}`, () => {
    const unsupported = [...outcomes].filter(([, o]) => o === 'unsupported').map(([id]) => id);
    const passed = [...outcomes.values()].filter((o) => o === 'passed').length;
    assert.equal(vectors.numberOfTests, 316);
    assert.equal(outcomes.size, vectors.numberOfTests);
    assert.equal(passed, EXPECTED_PASSED);
    assert.deepEqual(
      unsupported.sort((a, b) => a - b),
      EXPECTED_UNSUPPORTED_TC_IDS,
    );
  });
});

describe('AES-256-GCM Aead', () => {
  itBehavesAsAGcmAead({
    algorithm: AeadAlgorithm.Aes256Gcm,
    keyLengthInBytes: 32,
    create: createAes256Gcm,
    encryptWithIv: aesGcmEncryptWithIv,
    decryptWithIv: aesGcmDecryptWithIv,
    vectors,
  });

  it('createAead refuses an algorithm it does not know', () => {
    const unknown = 'AES-128-GCM' as AeadAlgorithm;
    assert.throws(() => createAead(unknown, SecretBytes.random(32)), /unknown AEAD algorithm/);
  });
});
