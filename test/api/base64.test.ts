// The CiphertextBlob parameter as the Alibaba wire carries it: base64 text of the binary blob
// (whose layout test/domain/ciphertext-blob.test.ts pins). Text that is not canonical base64 is
// refused with the same opaque InvalidCiphertext as a blob that does not open.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alibabaErrorOf } from '../../src/api/alibaba-errors.js';
import { bytesFromBase64, ciphertextFromBase64, isCanonicalBase64 } from '../../src/api/base64.js';
import { decodeCiphertextBlob } from '../../src/domain/ciphertext-blob.js';
import { KmsError } from '../../src/domain/errors.js';

const VERSION_ID = '86a9efd9-3d16-4894-bd4f-1fc43f3f2abf';
/** The golden AES-256-GCM blob of test/domain/ciphertext-blob.test.ts. */
const GOLDEN_AES_BLOB = 'ODZhOWVmZDktM2QxNi00ODk0LWJkNGYtMWZjNDNmM2YyYWJmyv66vvrO263eyviI4sbMSsVWb1o0aDykhc9qu2PvgpfR1MdDqIGU';

const isInvalidCiphertext = (error: unknown): boolean => {
  assert.ok(error instanceof KmsError, `expected a KmsError, got ${String(error)}`);
  assert.equal(error.kind, 'InvalidCiphertext');
  // On the wire: InvalidParameter on the CiphertextBlob, the one message for every cause.
  assert.deepEqual(alibabaErrorOf(error), {
    httpStatus: 400,
    code: 'InvalidParameter',
    message: 'The specified parameter "CiphertextBlob" is not valid.',
  });
  return true;
};

describe('CiphertextBlob as base64 text', () => {
  it('reads the golden blob into its bytes, header first', () => {
    const bytes = ciphertextFromBase64(GOLDEN_AES_BLOB);
    assert.deepEqual(bytes, Buffer.from(GOLDEN_AES_BLOB, 'base64'));
    assert.equal(bytes.length, 36 + 12 + 11 + 16);
    assert.equal(decodeCiphertextBlob(bytes).keyVersionId, VERSION_ID);
  });

  const notBase64: Array<[string, string]> = [
    ['not base64', '!!!!'],
    ['base64 with whitespace', `${GOLDEN_AES_BLOB.slice(0, 8)} ${GOLDEN_AES_BLOB.slice(8)}`],
    ['unpadded base64', GOLDEN_AES_BLOB.slice(0, -1)],
    ['URL-safe base64', Buffer.from(`${VERSION_ID}\xfb\xff\xfe`, 'latin1').toString('base64url')],
  ];
  for (const [label, text] of notBase64) {
    it(`refuses ${label} with the opaque InvalidCiphertext`, () => {
      assert.equal(isCanonicalBase64(text), false);
      assert.throws(() => ciphertextFromBase64(text), isInvalidCiphertext);
    });
  }

  // Canonical base64 whose bytes are no blob: refused by the blob's decoding, with the same answer.
  const notABlob: Array<[string, string]> = [
    ['too short for header, IV and tag', Buffer.alloc(63, 0x61).toString('base64')],
    ['a header that is not a lower-case UUID', Buffer.concat([Buffer.from(VERSION_ID.toUpperCase()), Buffer.alloc(40)]).toString('base64')],
    ['the empty string', ''],
  ];
  for (const [label, text] of notABlob) {
    it(`refuses ${label} with the opaque InvalidCiphertext`, () => {
      assert.throws(() => decodeCiphertextBlob(ciphertextFromBase64(text)), isInvalidCiphertext);
    });
  }
});

describe('other base64 parameters', () => {
  it('reads canonical base64 into its bytes', () => {
    assert.deepEqual(bytesFromBase64('AAEC/w==', 'PublicKeyBlob'), Buffer.from([0, 1, 2, 255]));
  });

  it('refuses text that is not canonical base64 with InvalidParameter naming the parameter', () => {
    assert.throws(
      () => bytesFromBase64('AAEC/w', 'PublicKeyBlob'),
      (error: unknown) =>
        error instanceof KmsError &&
        error.kind === 'InvalidInput' &&
        error.field === 'PublicKeyBlob' &&
        alibabaErrorOf(error).message === 'The specified parameter "PublicKeyBlob" is not valid.',
    );
  });
});
