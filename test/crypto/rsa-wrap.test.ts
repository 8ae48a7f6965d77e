import assert from 'node:assert/strict';
import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  generateRsaWrappingKeyPair,
  rsa2048PublicKeyFromSpki,
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  rsaPkcs1v15DecryptFixedLength,
  UnwrapError,
  type OaepHash,
} from '../../src/crypto/rsa-wrap.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { rsaSpki, unsafeRsaPublicKeys } from '../support/unsafe-public-keys.js';

interface OaepCase {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  ct: string;
  label: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface OaepFile {
  numberOfTests: number;
  testGroups: { keySize: number; sha: string; mgfSha: string; privateKeyPkcs8: string; tests: OaepCase[] }[];
}

function load(fileName: string): OaepFile {
  return JSON.parse(readFileSync(new URL(`../vectors/wycheproof/${fileName}`, import.meta.url), 'utf8')) as OaepFile;
}

const OAEP_FILES: { file: string; hash: OaepHash; sha: string }[] = [
  { file: 'rsa_oaep_2048_sha1_mgf1sha1_test.json', hash: 'sha1', sha: 'SHA-1' },
  { file: 'rsa_oaep_2048_sha256_mgf1sha256_test.json', hash: 'sha256', sha: 'SHA-256' },
];

for (const { file, hash, sha } of OAEP_FILES) {
  describe(`RSAES-OAEP unwrap, Wycheproof ${file}`, () => {
    const vectors = load(file);
    const cases = vectors.testGroups.flatMap((group) => group.tests.map((test) => ({ group, test })));

    it('holds every case it announces, all 2048-bit with the expected hash for OAEP and MGF1, none "acceptable"', () => {
      assert.equal(cases.length, vectors.numberOfTests);
      for (const { group, test } of cases) {
        assert.equal(group.keySize, 2048);
        assert.equal(group.sha, sha);
        assert.equal(group.mgfSha, sha);
        assert.notEqual(test.result, 'acceptable', `tcId ${test.tcId}`);
      }
    });

    for (const { group, test } of cases) {
      const privateKey = SecretBytes.copyOf(Buffer.from(group.privateKeyPkcs8, 'hex'));
      const ct = Buffer.from(test.ct, 'hex');
      const label = Buffer.from(test.label, 'hex');
      it(`tcId ${test.tcId} (${test.result}${test.comment ? `: ${test.comment}` : ''})`, () => {
        if (test.result === 'valid') {
          assert.equal(rsaOaepDecrypt(privateKey, hash, ct, label).unsafeReveal().toString('hex'), test.msg);
        } else {
          assert.throws(() => rsaOaepDecrypt(privateKey, hash, ct, label), UnwrapError);
        }
      });
    }
  });
}

describe('RSAES-PKCS1-v1_5 unwrap of a fixed-length message', () => {
  const pairPromise = generateRsaWrappingKeyPair();

  /** Encrypts a hand-made encoded message with raw RSA, so every padding fault can be built. */
  async function rawEncrypt(encoded: Buffer): Promise<Buffer> {
    const { publicKeySpki } = await pairPromise;
    return publicEncrypt(
      { key: createPublicKey({ key: publicKeySpki, format: 'der', type: 'spki' }), padding: constants.RSA_NO_PADDING },
      encoded,
    );
  }

  function encode(message: Buffer, change: (em: Buffer) => void = () => {}): Buffer {
    const em = Buffer.alloc(256);
    em[1] = 0x02;
    const separator = 256 - message.length - 1;
    for (let i = 2; i < separator; i++) em[i] = 1 + (i % 255);
    em[separator] = 0;
    message.copy(em, separator + 1);
    change(em);
    return em;
  }

  it('Node 20 itself refuses PKCS#1 v1.5 private decryption (CVE-2023-46809), which is why Arca unpads by hand', async () => {
    const { privateKeyPkcs8, publicKeySpki } = await pairPromise;
    const ct = publicEncrypt(
      { key: createPublicKey({ key: publicKeySpki, format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_PADDING },
      randomBytes(32),
    );
    const key = createPrivateKey({ key: privateKeyPkcs8.unsafeReveal(), format: 'der', type: 'pkcs8' });
    const decryptWithNode = (): Buffer => privateDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, ct);
    // OpenSSL 3.2 added implicit rejection, under which Node allows it again; Node 20 ships 3.0.
    if (/^3\.[01]\./.test(process.versions.openssl)) {
      assert.throws(decryptWithNode, /RSA_PKCS1_PADDING is no longer supported for private decryption/);
    } else {
      assert.equal(decryptWithNode().length, 32);
    }
  });

  it('unwraps what Node publicEncrypt (RSA_PKCS1_PADDING) wrapped, for 16 and 32 bytes', async () => {
    const { privateKeyPkcs8, publicKeySpki } = await pairPromise;
    const publicKey = createPublicKey({ key: publicKeySpki, format: 'der', type: 'spki' });
    for (const length of [16, 32]) {
      const material = randomBytes(length);
      const ct = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, material);
      assert.deepEqual(rsaPkcs1v15DecryptFixedLength(privateKeyPkcs8, ct, length).unsafeReveal(), material);
    }
  });

  it('accepts the hand-built encoding (so the faults below are the only difference)', async () => {
    const { privateKeyPkcs8 } = await pairPromise;
    const material = randomBytes(32);
    assert.deepEqual(rsaPkcs1v15DecryptFixedLength(privateKeyPkcs8, await rawEncrypt(encode(material)), 32).unsafeReveal(), material);
  });

  const faults: [string, (em: Buffer) => void][] = [
    ['first byte not 0x00', (em) => (em[0] = 0x01)],
    ['block type 0x01 instead of 0x02', (em) => (em[1] = 0x01)],
    ['a zero byte inside the padding string', (em) => (em[100] = 0x00)],
    ['a zero as the first padding byte', (em) => (em[2] = 0x00)],
    ['no zero separator before the message', (em) => (em[256 - 33] = 0x07)],
  ];
  for (const [name, fault] of faults) {
    it(`refuses ${name} with the one UnwrapError`, async () => {
      const { privateKeyPkcs8 } = await pairPromise;
      const ct = await rawEncrypt(encode(randomBytes(32), fault));
      assert.throws(() => rsaPkcs1v15DecryptFixedLength(privateKeyPkcs8, ct, 32), UnwrapError);
    });
  }

  it('refuses a message of another length than expected, a short ciphertext, and one of another key', async () => {
    const { privateKeyPkcs8, publicKeySpki } = await pairPromise;
    const publicKey = createPublicKey({ key: publicKeySpki, format: 'der', type: 'spki' });
    const ct16 = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, randomBytes(16));
    assert.throws(() => rsaPkcs1v15DecryptFixedLength(privateKeyPkcs8, ct16, 32), UnwrapError);
    assert.throws(() => rsaPkcs1v15DecryptFixedLength(privateKeyPkcs8, ct16.subarray(1), 16), UnwrapError);
    const other = await generateRsaWrappingKeyPair();
    assert.throws(() => rsaPkcs1v15DecryptFixedLength(other.privateKeyPkcs8, ct16, 16), UnwrapError);
  });
});

describe('RSA export and public keys', () => {
  it('OAEP encryption to a caller key decrypts with Node for SHA-1 and SHA-256', async () => {
    const pair = await generateRsaWrappingKeyPair();
    const publicKey = rsa2048PublicKeyFromSpki(pair.publicKeySpki);
    assert.ok(publicKey);
    for (const hash of ['sha1', 'sha256'] as const) {
      const message = randomBytes(32);
      const wrapped = rsaOaepEncrypt(publicKey, hash, message);
      assert.deepEqual(rsaOaepDecrypt(pair.privateKeyPkcs8, hash, wrapped).unsafeReveal(), message);
      assert.throws(() => rsaOaepDecrypt(pair.privateKeyPkcs8, hash === 'sha1' ? 'sha256' : 'sha1', wrapped), UnwrapError);
    }
  });

  it('reads only RSA-2048 SubjectPublicKeyInfo', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa3072 = generateKeyPairSync('rsa', { modulusLength: 3072 }).publicKey.export({ type: 'spki', format: 'der' });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
    assert.equal(rsa2048PublicKeyFromSpki(rsa3072), undefined);
    assert.equal(rsa2048PublicKeyFromSpki(ec), undefined);
    assert.equal(rsa2048PublicKeyFromSpki(randomBytes(100)), undefined);
  });

  // Before this check, an even modulus and e = n threw inside OpenSSL at the encryption (a 500),
  // and e = 1 returned the OAEP-padded data key in the clear, which anyone can unpad.
  for (const { label, spki } of unsafeRsaPublicKeys()) {
    it(`refuses ${label}`, () => {
      assert.equal(rsa2048PublicKeyFromSpki(spki), undefined);
    });
  }

  it('accepts a genuine RSA-2048 key rebuilt from its numbers, and one with a larger odd e', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    const n = BigInt(`0x${Buffer.from(jwk.n ?? '', 'base64url').toString('hex')}`);
    assert.ok(rsa2048PublicKeyFromSpki(rsaSpki(n, 65537n)));
    const withLargeE = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 2_147_483_647 });
    assert.ok(rsa2048PublicKeyFromSpki(withLargeE.publicKey.export({ type: 'spki', format: 'der' })));
  });
});
