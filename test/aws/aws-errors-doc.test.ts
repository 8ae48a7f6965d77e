// docs/errors.md's AWS section lists exactly the rows of AWS_ERRORS, as the Alibaba section lists
// ALIBABA_ERRORS (test/domain/errors-doc.test.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AWS_ERRORS, awsErrorOf } from '../../src/aws/aws-errors.js';
import { ERROR_KINDS, KmsError } from '../../src/domain/errors.js';

function documentedAwsErrors(): Map<string, { type: string; httpStatus: number; message: string }> {
  const text = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const section = text.slice(text.indexOf('## The AWS KMS API'));
  const rows = new Map<string, { type: string; httpStatus: number; message: string }>();
  for (const line of section.slice(0, section.indexOf('\n## ', 1)).split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
    const [, kind, type, http, message] = cells;
    if (cells.length !== 6 || !kind || !type || !/^`.+`$/.test(type) || !http || message === undefined) continue;
    rows.set(kind, { type: type.slice(1, -1), httpStatus: Number(http), message: message.replaceAll('\\|', '|') });
  }
  return rows;
}

describe('docs/errors.md, AWS KMS API', () => {
  const documented = documentedAwsErrors();

  it('lists exactly the kinds of the catalog', () => {
    assert.deepEqual([...documented.keys()].sort(), [...ERROR_KINDS].sort());
  });

  for (const kind of ERROR_KINDS) {
    it(`documents ${kind} with its __type, status and message`, () => {
      assert.deepEqual(documented.get(kind), AWS_ERRORS[kind]);
    });
  }

  it("answers a bad marker, bad tags and a body that is not JSON with AWS's own exceptions", () => {
    assert.equal(awsErrorOf(new KmsError('InvalidInput', 'marker')).body.__type, 'InvalidMarkerException');
    assert.equal(awsErrorOf(new KmsError('InvalidInput', 'tags')).body.__type, 'TagException');
    assert.equal(awsErrorOf(new KmsError('InvalidInput', 'body')).body.__type, 'SerializationException');
    assert.equal(awsErrorOf(new KmsError('InvalidInput', 'plaintext')).body.__type, 'ValidationException');
  });

  it('leaves an empty message out, and says no more than the table for a server fault', () => {
    assert.deepEqual(awsErrorOf(new KmsError('InvalidCiphertext')).body, { __type: 'InvalidCiphertextException' });
    assert.deepEqual(awsErrorOf(new KmsError('Internal')), {
      httpStatus: 500,
      body: { __type: 'KMSInternalException', message: 'Internal failure.' },
    });
  });
});
