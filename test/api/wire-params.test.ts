// WireParams.encryptionContext: both wire forms of a context are held to the same rules. The
// HTTP layer cannot deliver a lone surrogate in a flattened `EncryptionContext.k=v` parameter
// (strict UTF-8 and percent-decoding refuse it first), so the domain's own refusal is checked
// here, on the parameters as a front end hands them over.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WireParams } from '../../src/api/wire-params.js';
import { KmsError } from '../../src/domain/errors.js';

const SCOPE = { region: 'cn-hangzhou', accountId: '1234567890123456' };
const paramsOf = (pairs: ReadonlyArray<readonly [string, string]>) => new WireParams(new Map(pairs), SCOPE);
const refusedNaming = (parameter: string) => (error: unknown) =>
  error instanceof KmsError && error.kind === 'InvalidInput' && error.field === parameter;

describe('WireParams.encryptionContext', () => {
  it('refuses a lone surrogate in a flattened key or value with InvalidParameter naming the context parameter', () => {
    for (const pair of [
      ['EncryptionContext.k', '\ud800'],
      ['EncryptionContext.\udc00', 'v'],
    ] as const) {
      assert.throws(() => paramsOf([pair]).encryptionContext('EncryptionContext'), refusedNaming('EncryptionContext'));
    }
    assert.throws(
      () => paramsOf([['SourceEncryptionContext.k', 'a\udbff']]).encryptionContext('SourceEncryptionContext'),
      refusedNaming('SourceEncryptionContext'),
    );
  });

  it('refuses a lone surrogate and a repeated key in the JSON form with InvalidParameter naming the parameter', () => {
    for (const json of ['{"k":"\\ud800"}', '{"a":"1","a":"2"}']) {
      assert.throws(
        () => paramsOf([['DestinationEncryptionContext', json]]).encryptionContext('DestinationEncryptionContext'),
        refusedNaming('DestinationEncryptionContext'),
      );
    }
  });

  it('reads the same context from both forms', () => {
    const flattened = paramsOf([
      ['EncryptionContext.b', '2'],
      ['EncryptionContext.a', '\u{1F600}'],
    ]).encryptionContext('EncryptionContext');
    const json = paramsOf([['EncryptionContext', '{"a":"\\ud83d\\ude00","b":"2"}']]).encryptionContext('EncryptionContext');
    assert.deepEqual(new Map([...flattened].sort()), new Map([...json].sort()));
  });
});
