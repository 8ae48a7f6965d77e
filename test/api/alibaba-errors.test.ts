// The Alibaba front end's error table: every kind of the catalog has an answer, and every input
// field an operation or the domain can name in an error has its Alibaba parameter name.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ALIBABA_ERRORS, alibabaErrorOf, FIELD_PARAMETERS } from '../../src/api/alibaba-errors.js';
import { ERROR_KINDS, KmsError } from '../../src/domain/errors.js';

const NEUTRAL_LAYERS = ['../../src/operations/', '../../src/domain/'].map((path) => new URL(path, import.meta.url));

/** Every field named in `KmsError('InvalidInput' | 'MissingInput', '<field>')` and `assertValidTags(…, '<field>')`. */
function fieldsRaisedInNeutralLayers(): Set<string> {
  const fields = new Set<string>();
  const patterns = [/KmsError\('(?:InvalidInput|MissingInput)', '([A-Za-z]+)'/g, /assertValidTags\([^,]+, '([A-Za-z]+)'\)/g];
  for (const folder of NEUTRAL_LAYERS) {
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
      const text = readFileSync(new URL(file, folder), 'utf8');
      for (const pattern of patterns) for (const match of text.matchAll(pattern)) if (match[1]) fields.add(match[1]);
    }
  }
  return fields;
}

describe('the Alibaba error table', () => {
  it('answers every kind of the catalog', () => {
    assert.deepEqual(Object.keys(ALIBABA_ERRORS).sort(), [...ERROR_KINDS].sort());
  });

  it('names the Alibaba parameter of every field the operations and the domain raise', () => {
    const raised = fieldsRaisedInNeutralLayers();
    assert.ok(raised.size > 10, `found only ${raised.size} fields: the scan is broken`);
    for (const field of raised) {
      assert.match(field, /^[a-z]/, `${field}: the neutral layers name fields in camelCase, not by wire parameter`);
      assert.ok(Object.hasOwn(FIELD_PARAMETERS, field), `${field} has no Alibaba parameter name`);
    }
  });

  it('formats a field error with the parameter name, and a front end parameter as given', () => {
    assert.deepEqual(alibabaErrorOf(new KmsError('InvalidInput', 'numberOfBytes')), {
      httpStatus: 400,
      code: 'InvalidParameter',
      message: 'The specified parameter "NumberOfBytes" is not valid.',
    });
    assert.equal(
      alibabaErrorOf(new KmsError('MissingInput', 'SignatureNonce')).message,
      'The parameter "SignatureNonce" is needed but not provided.',
    );
    assert.equal(alibabaErrorOf(new KmsError('LimitExceeded', 'tags per key')).message, 'The tags per key limit was exceeded.');
  });

  it('never says more than the generic message for a server fault', () => {
    assert.deepEqual(alibabaErrorOf(new KmsError('Internal')), { httpStatus: 500, code: 'InternalFailure', message: 'Internal Failure.' });
  });
});
