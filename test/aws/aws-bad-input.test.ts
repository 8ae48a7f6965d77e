// No body breaks the AWS front end: random members of every type for every operation, signed,
// are answered 200 or with a 4xx in AWS's shape, never a 5xx.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';

import { AWS_ACTION_TABLE } from '../../src/aws/aws-action-table.js';
import { ADMIN_CREDENTIALS, createInjectApi, INJECT_HOST, type InjectApi } from '../support/inject-api.js';

const MEMBERS = [
  'KeyId',
  'Plaintext',
  'CiphertextBlob',
  'EncryptionContext',
  'NumberOfBytes',
  'KeySpec',
  'Limit',
  'Marker',
  'AliasName',
  'TargetKeyId',
  'Tags',
  'TagKeys',
  'PendingWindowInDays',
  'RotationPeriodInDays',
  'DestinationKeyId',
  'SourceKeyId',
  'ImportToken',
  'EncryptedKeyMaterial',
  'ValidTo',
  'ExpirationModel',
  'WrappingAlgorithm',
  'WrappingKeySpec',
  'Description',
  'Origin',
  'DryRun',
];

const value = fc.oneof(
  fc.string(),
  fc.base64String(),
  fc.constantFrom('alias/x', 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-4000-8000-000000000000', 'SYMMETRIC_DEFAULT', 'SM4', ''),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string(), fc.record({ TagKey: fc.string(), TagValue: fc.string() })), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer()), { maxKeys: 3 }),
);
const body = fc.dictionary(fc.constantFrom(...MEMBERS), value, { maxKeys: 6 });

let api: InjectApi;
before(async () => {
  api = await createInjectApi();
});
after(async () => {
  await api.close();
});

async function send(operation: string, text: string) {
  const signer = new SignatureV4({
    service: 'kms',
    region: 'us-east-1',
    credentials: { accessKeyId: ADMIN_CREDENTIALS.accessKeyId, secretAccessKey: ADMIN_CREDENTIALS.accessKeySecret },
    sha256: Hash.bind(null, 'sha256'),
  });
  const headers = {
    host: INJECT_HOST,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `TrentService.${operation}`,
    'content-length': String(Buffer.byteLength(text)),
  };
  // A fresh signing date per request: the same body twice would otherwise be a replay.
  api.clock.advance(1000);
  const signed = await signer.sign(
    { method: 'POST', protocol: 'http:', hostname: INJECT_HOST, path: '/', headers, body: text },
    { signingDate: new Date(api.clock.now()) },
  );
  return api.send({ method: 'POST', path: '/', headers: signed.headers, body: Buffer.from(text) });
}

describe('the AWS front end under random input', () => {
  for (const operation of AWS_ACTION_TABLE.keys()) {
    it(`${operation}: every random body is answered 200 or 4xx in AWS's shape`, async () => {
      await fc.assert(
        fc.asyncProperty(body, async (members) => {
          const response = await send(operation, JSON.stringify(members));
          assert.ok(response.statusCode < 500, `${response.statusCode} ${response.text} for ${JSON.stringify(members)}`);
          if (response.statusCode !== 200) assert.equal(typeof response.json?.__type, 'string', response.text);
        }),
        { numRuns: 25 },
      );
    });
  }

  it('answers bodies that are not JSON objects with SerializationException', async () => {
    for (const text of ['', 'null', '[]', '"x"', '{', '{"a":1}}', '\u0000']) {
      const response = await send('ListKeys', text);
      if (text === '') assert.equal(response.statusCode, 200, 'an empty body is {}');
      else assert.equal(response.json.__type, 'SerializationException', text);
    }
  });
});
