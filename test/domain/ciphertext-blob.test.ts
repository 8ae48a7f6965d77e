import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { describe, it } from 'node:test';
import { aesGcmEncryptWithIv } from '../../src/crypto/aes-gcm.js';
import { createAead } from '../../src/crypto/aead-factory.js';
import { AeadAlgorithm } from '../../src/crypto/aead.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { sm4GcmEncryptWithIv } from '../../src/crypto/sm4-gcm.js';
import { decodeCiphertextBlob, encodeCiphertextBlob } from '../../src/domain/ciphertext-blob.js';
import { blobAdditionalData, parseEncryptionContextJson } from '../../src/domain/encryption-context.js';
import { KmsError } from '../../src/domain/errors.js';

// Golden values: fixed material, IV, version id and context. If one of these changes, every
// ciphertext Arca ever returned would stop decrypting: the format is frozen at version 1. The
// blobs are written as the base64 text the Alibaba wire carries them in (its decoding is tested
// in test/api/base64.test.ts).
const VERSION_ID = '86a9efd9-3d16-4894-bd4f-1fc43f3f2abf';
const AES_KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const SM4_KEY = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
const IV = Buffer.from('cafebabefacedbaddecaf888', 'hex');
const CONTEXT = parseEncryptionContextJson('{"tenant":"acme","purpose":"test"}', 'EncryptionContext');
const PLAINTEXT = Buffer.from('hello, Arca', 'utf8');

const GOLDEN_AES_BLOB = 'ODZhOWVmZDktM2QxNi00ODk0LWJkNGYtMWZjNDNmM2YyYWJmyv66vvrO263eyviI4sbMSsVWb1o0aDykhc9qu2PvgpfR1MdDqIGU';
const GOLDEN_SM4_BLOB = 'ODZhOWVmZDktM2QxNi00ODk0LWJkNGYtMWZjNDNmM2YyYWJmyv66vvrO263eyviIK9u8RNlRK1k0nNuRcasIJ5zA/livlIvKBhlW';

function goldenBlob(encryptWithIv: typeof aesGcmEncryptWithIv, key: Buffer): string {
  const aad = blobAdditionalData(VERSION_ID, CONTEXT);
  const { ciphertext, tag } = encryptWithIv(key, IV, PLAINTEXT, aad);
  return encodeCiphertextBlob(VERSION_ID, Buffer.concat([IV, ciphertext, tag])).toString('base64');
}

describe('CiphertextBlob format v1', () => {
  it('pins the AES-256-GCM golden blob', () => {
    assert.equal(goldenBlob(aesGcmEncryptWithIv, AES_KEY), GOLDEN_AES_BLOB);
  });

  it('pins the SM4-GCM golden blob', () => {
    assert.equal(goldenBlob(sm4GcmEncryptWithIv, SM4_KEY), GOLDEN_SM4_BLOB);
  });

  it('opens the golden AES blob with plain node:crypto and the additional data built by hand', () => {
    const bytes = Buffer.from(GOLDEN_AES_BLOB, 'base64');
    const header = bytes.subarray(0, 36);
    const iv = bytes.subarray(36, 48);
    const tag = bytes.subarray(bytes.length - 16);
    const ciphertext = bytes.subarray(48, bytes.length - 16);
    // Additional data, byte by byte: header(36) ‖ count ‖ (len ‖ key ‖ len ‖ value) sorted by key.
    const u32 = (n: number) => Buffer.from([0, 0, 0, n]);
    const aad = Buffer.concat([
      header,
      u32(2),
      u32(7),
      Buffer.from('purpose'),
      u32(4),
      Buffer.from('test'),
      u32(6),
      Buffer.from('tenant'),
      u32(4),
      Buffer.from('acme'),
    ]);
    const decipher = createDecipheriv('aes-256-gcm', AES_KEY, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    assert.equal(Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8'), 'hello, Arca');
  });

  it('opens both golden blobs through the AEAD the server uses', async () => {
    for (const [algorithm, key, blob] of [
      [AeadAlgorithm.Aes256Gcm, AES_KEY, GOLDEN_AES_BLOB],
      [AeadAlgorithm.Sm4Gcm, SM4_KEY, GOLDEN_SM4_BLOB],
    ] as const) {
      const { keyVersionId, sealed } = decodeCiphertextBlob(Buffer.from(blob, 'base64'));
      assert.equal(keyVersionId, VERSION_ID);
      const aead = createAead(algorithm, SecretBytes.copyOf(key));
      const plaintext = await aead.decrypt(sealed, blobAdditionalData(keyVersionId, CONTEXT));
      assert.equal(plaintext.toString('utf8'), 'hello, Arca');
    }
  });

  it('makes a 108-byte blob from the 44-character base64 text of a 32-byte data key', () => {
    const sealed = Buffer.alloc(12 + 44 + 16);
    assert.equal(encodeCiphertextBlob(VERSION_ID, sealed).length, 108);
  });

  it('decodes a blob into its header and the sealed part, the exact bytes after the header', () => {
    const bytes = Buffer.from(GOLDEN_AES_BLOB, 'base64');
    const { keyVersionId, sealed } = decodeCiphertextBlob(bytes);
    assert.equal(keyVersionId, VERSION_ID);
    assert.deepEqual(sealed, bytes.subarray(36));
  });

  // The blob's own structure; text that is not base64 is refused before (test/api/base64.test.ts).
  const invalid: Array<[string, Buffer]> = [
    ['too short for header, IV and tag', Buffer.alloc(63, 0x61)],
    ['a header that is not a lower-case UUID', Buffer.concat([Buffer.from(VERSION_ID.toUpperCase()), Buffer.alloc(40)])],
    ['no bytes at all', Buffer.alloc(0)],
  ];
  for (const [label, blob] of invalid) {
    it(`refuses ${label} with the opaque InvalidCiphertext`, () => {
      assert.throws(
        () => decodeCiphertextBlob(blob),
        (error: unknown) => error instanceof KmsError && error.kind === 'InvalidCiphertext',
      );
    });
  }
});
