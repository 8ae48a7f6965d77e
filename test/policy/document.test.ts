// RAM policy documents read strictly: RAM's grammar is accepted in every form its pages show
// (string or array values, Sid, NotAction, conditions of every operator family), and whatever is
// outside it is refused with an error naming the element.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  KEY_POLICY_MAX_BYTES,
  parseAddressRange,
  parseKeyPolicyDocument,
  parsePolicyDocument,
  POLICY_DOCUMENT_MAX_LENGTH,
  PolicyDocumentError,
} from '../../src/policy/document.js';

const statement = (fields: Record<string, unknown>) => JSON.stringify({ Version: '1', Statement: [fields] });
const allowAll = { Effect: 'Allow', Action: '*', Resource: '*' };

function refusal(text: string, parse = parsePolicyDocument): PolicyDocumentError {
  try {
    parse(text);
  } catch (error) {
    assert.ok(error instanceof PolicyDocumentError, `expected a PolicyDocumentError, got ${String(error)}`);
    return error;
  }
  assert.fail('the document was accepted');
}

describe('parsePolicyDocument accepts RAM documents', () => {
  it('reads a single string or an array alike, and keeps Sid and the effect', () => {
    const one = parsePolicyDocument(statement({ Sid: 'one', Effect: 'Allow', Action: 'kms:Encrypt', Resource: 'acs:kms:*:*:key/*' }));
    const many = parsePolicyDocument(statement({ Effect: 'Deny', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: ['*'] }));
    assert.deepEqual(one.statements[0]?.actions, { negated: false, patterns: ['kms:Encrypt'] });
    assert.equal(one.statements[0]?.sid, 'one');
    assert.deepEqual(many.statements[0]?.actions.patterns, ['kms:Encrypt', 'kms:Decrypt']);
    assert.equal(many.statements[0]?.effect, 'Deny');
    assert.equal(many.statements[0]?.sid, undefined);
  });

  it('reads NotAction as a negated action list', () => {
    const document = parsePolicyDocument(statement({ Effect: 'Allow', NotAction: 'ram:*', Resource: '*' }));
    assert.deepEqual(document.statements[0]?.actions, { negated: true, patterns: ['ram:*'] });
  });

  it('reads conditions of every family as clauses, numbers and booleans as their text', () => {
    // https://www.alibabacloud.com/help/en/ram/conditional-operator and the KMS condition key page.
    const document = parsePolicyDocument(
      statement({
        ...allowAll,
        Condition: {
          IpAddress: { 'acs:SourceIp': ['116.62.0.0/24', '2001:db8::/32'] },
          DateLessThan: { 'acs:CurrentTime': '2019-08-12T17:00:00+08:00' },
          Bool: { 'acs:SecureTransport': true },
          NumericLessThan: { 'kms:tag/size': 10 },
          StringEquals: { 'kms:tag/team': 'dev', 'kms:EncryptionContext:purpose': ['a', 'b'] },
        },
      }),
    );
    assert.deepEqual(document.statements[0]?.conditions, [
      { operator: 'IpAddress', key: 'acs:SourceIp', values: ['116.62.0.0/24', '2001:db8::/32'] },
      { operator: 'DateLessThan', key: 'acs:CurrentTime', values: ['2019-08-12T17:00:00+08:00'] },
      { operator: 'Bool', key: 'acs:SecureTransport', values: ['true'] },
      { operator: 'NumericLessThan', key: 'kms:tag/size', values: ['10'] },
      { operator: 'StringEquals', key: 'kms:tag/team', values: ['dev'] },
      { operator: 'StringEquals', key: 'kms:EncryptionContext:purpose', values: ['a', 'b'] },
    ]);
  });

  it('reads Alibaba default key policy, with its Principal.RAM list', () => {
    // https://www.alibabacloud.com/help/en/kms/key-management-service/developer-reference/api-kms-2016-01-20-getkeypolicy
    // (the page masks the account ids as 190325303126**** and 119285303511****; zeros stand in).
    const text =
      '{"Statement": [{"Action": ["kms:*"],"Effect": "Allow","Principal": {"RAM": ["acs:ram::1903253031260000:*","acs:ram::1192853035110000:*"]},"Resource": ["*"],"Sid": "kms default key policy"}],"Version": "1" }';
    const document = parseKeyPolicyDocument(text);
    assert.deepEqual(document.statements[0]?.principals, ['acs:ram::1903253031260000:*', 'acs:ram::1192853035110000:*']);
    assert.equal(document.statements[0]?.sid, 'kms default key policy');
  });
});

describe('parsePolicyDocument refuses what RAM does not define, naming it', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['a document that is not JSON', '{"Version":', 'PolicyDocument'],
    ['a document that is an array', '[]', 'the document'],
    ['a missing Version', JSON.stringify({ Statement: [allowAll] }), 'Version'],
    ['Version "2012-10-17"', JSON.stringify({ Version: '2012-10-17', Statement: [allowAll] }), 'Version'],
    ['Version as a number', JSON.stringify({ Version: 1, Statement: [allowAll] }), 'Version'],
    ['an unknown top-level element', JSON.stringify({ Version: '1', Id: 'x', Statement: [allowAll] }), 'Id'],
    ['a missing Statement', JSON.stringify({ Version: '1' }), 'Statement'],
    ['a Statement that is an object', JSON.stringify({ Version: '1', Statement: allowAll }), 'Statement'],
    ['an empty Statement', JSON.stringify({ Version: '1', Statement: [] }), 'Statement'],
    ['an unknown statement element', statement({ ...allowAll, Effects: 'Allow' }), 'Statement[0].Effects'],
    ['NotResource, which RAM has not', statement({ Effect: 'Allow', Action: '*', NotResource: '*' }), 'Statement[0].NotResource'],
    ['Principal in an identity policy', statement({ ...allowAll, Principal: { RAM: ['acs:ram::1:*'] } }), 'Statement[0].Principal'],
    ['a missing Effect', statement({ Action: '*', Resource: '*' }), 'Statement[0].Effect'],
    ['Effect "allow" (case matters)', statement({ ...allowAll, Effect: 'allow' }), 'Statement[0].Effect'],
    ['both Action and NotAction', statement({ ...allowAll, NotAction: 'ram:*' }), 'Statement[0].NotAction'],
    ['neither Action nor NotAction', statement({ Effect: 'Allow', Resource: '*' }), 'Statement[0].Action'],
    ['an action without its service', statement({ ...allowAll, Action: 'Encrypt' }), 'Statement[0].Action[0]'],
    ['an empty action list', statement({ ...allowAll, Action: [] }), 'Statement[0].Action'],
    ['an action that is a number', statement({ ...allowAll, Action: ['kms:Encrypt', 7] }), 'Statement[0].Action[1]'],
    ['a missing Resource', statement({ Effect: 'Allow', Action: '*' }), 'Statement[0].Resource'],
    ['a resource that is not an Arn', statement({ ...allowAll, Resource: 'key/abc' }), 'Statement[0].Resource[0]'],
    ['an Arn of another scheme', statement({ ...allowAll, Resource: 'arn:aws:kms:us-east-1:1:key/x' }), 'Statement[0].Resource[0]'],
    ['an Arn without a relative id', statement({ ...allowAll, Resource: 'acs:kms:cn-hangzhou:123:' }), 'Statement[0].Resource[0]'],
    [
      'an Arn with a space in the account',
      statement({ ...allowAll, Resource: 'acs:kms:cn-hangzhou:12 3:key/x' }),
      'Statement[0].Resource[0]',
    ],
    ['a Sid that is not a string', statement({ ...allowAll, Sid: 3 }), 'Statement[0].Sid'],
    [
      'an unknown operator',
      statement({ ...allowAll, Condition: { StringEqual: { 'acs:SourceIp': 'x' } } }),
      'Statement[0].Condition.StringEqual',
    ],
    [
      'an IfExists operator, which RAM does not document',
      statement({ ...allowAll, Condition: { StringEqualsIfExists: { 'kms:tag/a': 'x' } } }),
      'Statement[0].Condition.StringEqualsIfExists',
    ],
    [
      'a condition key without a prefix',
      statement({ ...allowAll, Condition: { StringEquals: { SourceIp: 'x' } } }),
      'Statement[0].Condition.StringEquals.SourceIp',
    ],
    ['an operator with no keys', statement({ ...allowAll, Condition: { StringEquals: {} } }), 'Statement[0].Condition.StringEquals'],
    ['a Condition that is an array', statement({ ...allowAll, Condition: [] }), 'Statement[0].Condition'],
    [
      'a number operator on a word',
      statement({ ...allowAll, Condition: { NumericLessThan: { 'kms:tag/a': 'ten' } } }),
      'Statement[0].Condition.NumericLessThan.kms:tag/a[0]',
    ],
    [
      'a date operator on a word',
      statement({ ...allowAll, Condition: { DateLessThan: { 'acs:CurrentTime': 'tomorrow' } } }),
      'Statement[0].Condition.DateLessThan.acs:CurrentTime[0]',
    ],
    [
      'Bool on "yes"',
      statement({ ...allowAll, Condition: { Bool: { 'acs:SecureTransport': 'yes' } } }),
      'Statement[0].Condition.Bool.acs:SecureTransport[0]',
    ],
    [
      'IpAddress on a bad block',
      statement({ ...allowAll, Condition: { IpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '300.1.1.1'] } } }),
      'Statement[0].Condition.IpAddress.acs:SourceIp[1]',
    ],
    [
      'a condition value that is an object',
      statement({ ...allowAll, Condition: { StringEquals: { 'kms:tag/a': { x: 1 } } } }),
      'Statement[0].Condition.StringEquals.kms:tag/a',
    ],
  ];
  for (const [what, text, field] of cases) {
    it(`refuses ${what} (${field})`, () => {
      const error = refusal(text);
      assert.equal(error.field, field);
      assert.ok(error.message.includes(field), error.message);
    });
  }

  it(`refuses a document longer than ${POLICY_DOCUMENT_MAX_LENGTH} characters`, () => {
    const long = statement({ ...allowAll, Sid: 'x'.repeat(POLICY_DOCUMENT_MAX_LENGTH) });
    assert.equal(refusal(long).field, 'PolicyDocument');
    const justFits = statement({ ...allowAll, Sid: '' });
    const padded = justFits.replace('"Sid":""', `"Sid":"${'x'.repeat(POLICY_DOCUMENT_MAX_LENGTH - justFits.length)}"`);
    assert.equal(padded.length, POLICY_DOCUMENT_MAX_LENGTH);
    assert.equal(parsePolicyDocument(padded).statements.length, 1);
  });
});

describe('parseKeyPolicyDocument', () => {
  const keyStatement = { ...allowAll, Principal: { RAM: ['acs:ram::1234567890:user/app'] } };

  it('requires Principal.RAM in every statement', () => {
    assert.equal(refusal(statement(allowAll), parseKeyPolicyDocument).field, 'Statement[0].Principal');
    assert.equal(refusal(statement({ ...allowAll, Principal: {} }), parseKeyPolicyDocument).field, 'Statement[0].Principal.RAM');
  });

  it('refuses a principal outside RAM and a malformed principal Arn', () => {
    assert.equal(
      refusal(statement({ ...allowAll, Principal: { Service: ['x'] } }), parseKeyPolicyDocument).field,
      'Statement[0].Principal.Service',
    );
    assert.equal(
      refusal(statement({ ...allowAll, Principal: { RAM: ['acs:ram::1:user/a', 'user/bob'] } }), parseKeyPolicyDocument).field,
      'Statement[0].Principal.RAM[1]',
    );
    assert.equal(
      refusal(statement({ ...allowAll, Principal: { RAM: '*' } }), parseKeyPolicyDocument).field,
      'Statement[0].Principal.RAM[0]',
    );
  });

  it(`accepts up to ${KEY_POLICY_MAX_BYTES} bytes and refuses one more`, () => {
    const base = statement({ ...keyStatement, Sid: '' });
    const fits = base.replace('"Sid":""', `"Sid":"${'x'.repeat(KEY_POLICY_MAX_BYTES - base.length)}"`);
    assert.equal(Buffer.byteLength(fits), KEY_POLICY_MAX_BYTES);
    assert.equal(parseKeyPolicyDocument(fits).statements.length, 1);
    assert.equal(refusal(fits.replace('"Sid":"', '"Sid":"x'), parseKeyPolicyDocument).field, 'Policy');
  });
});

describe('parseAddressRange', () => {
  it('reads IPv4 and IPv6 addresses and blocks', () => {
    assert.deepEqual(parseAddressRange('10.1.2.3'), { family: 4, bits: 0x0a010203n, prefixLength: 32 });
    assert.deepEqual(parseAddressRange('10.0.0.0/8'), { family: 4, bits: 0x0a000000n, prefixLength: 8 });
    assert.deepEqual(parseAddressRange('2001:db8::/32'), { family: 6, bits: 0x20010db8n << 96n, prefixLength: 32 });
    assert.deepEqual(parseAddressRange('::1'), { family: 6, bits: 1n, prefixLength: 128 });
    assert.deepEqual(parseAddressRange('::'), { family: 6, bits: 0n, prefixLength: 128 });
    assert.deepEqual(parseAddressRange('1:2:3:4:5:6:7:8'), { family: 6, bits: 0x00010002000300040005000600070008n, prefixLength: 128 });
  });

  it('reads an IPv4-mapped IPv6 address as its IPv4 address', () => {
    assert.deepEqual(parseAddressRange('::ffff:203.0.113.5'), { family: 4, bits: 0xcb007105n, prefixLength: 32 });
  });

  for (const bad of [
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4/33',
    '1.2.3.4/',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '12345::',
    'g::1',
    '1.2.3.4::',
    '::/129',
  ]) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.equal(parseAddressRange(bad), undefined));
  }
});
