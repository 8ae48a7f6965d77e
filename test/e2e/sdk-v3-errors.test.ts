// Error responses through the current SDK's wire path (openapi-core callApi, ACS3-HMAC-SHA256):
// the thrown ClientError's code and statusCode, a body with Code, Message and RequestId and
// nothing internal (alibaba-kms-api.md §2.2, §2.3, §3), and no stored change after any refusal.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { v3Caller } from '../support/clients.js';
import { startTestServer, TEST_ACCOUNT_ID, type TestServer } from '../support/server.js';
import { assertRequestId, expectV3Error, flipBit, type ExpectedV3Error } from './support-sdk-assertions.js';

type Call = (action: string, query: Record<string, unknown>) => Promise<any>;

let server: TestServer;
let call: Call;
let fixtureCounter = 0;

before(async () => {
  server = await startTestServer();
  call = v3Caller(server);
});

after(async () => {
  await server.close();
});

const CONTEXT = { purpose: 'errors', tenant: 't1' };

/** Keys in every state a refusal needs, made fresh for each test. */
interface Fixture {
  readonly keyId: string;
  readonly keyArn: string;
  readonly primaryVersion: string;
  readonly aliasName: string;
  readonly otherKeyId: string;
  readonly otherAliasName: string;
  readonly otherPrimaryVersion: string;
  readonly disabledKeyId: string;
  readonly pendingKeyId: string;
  /** Sealed under keyId with CONTEXT. */
  readonly blob: string;
  readonly disabledBlob: string;
  readonly pendingBlob: string;
}

async function makeFixture(): Promise<Fixture> {
  fixtureCounter += 1;
  const tag = `${process.pid}-${fixtureCounter}`;
  const key = (await call('CreateKey', { Description: 'errors fixture' })).KeyMetadata;
  const other = (await call('CreateKey', { KeySpec: 'Aliyun_SM4' })).KeyMetadata;
  const disabled = (await call('CreateKey', {})).KeyMetadata;
  const pending = (await call('CreateKey', { KeySpec: 'Aliyun_SM4' })).KeyMetadata;
  const aliasName = `alias/sdk-errors-${tag}`;
  const otherAliasName = `alias/sdk-errors-other-${tag}`;
  await call('CreateAlias', { AliasName: aliasName, KeyId: key.KeyId });
  await call('CreateAlias', { AliasName: otherAliasName, KeyId: other.KeyId });
  await call('TagResource', { KeyId: key.KeyId, Tags: [{ TagKey: 'fixture', TagValue: tag }] });
  const blob = (await call('Encrypt', { KeyId: key.KeyId, Plaintext: 'fixture secret', EncryptionContext: CONTEXT })).CiphertextBlob;
  const disabledBlob = (await call('Encrypt', { KeyId: disabled.KeyId, Plaintext: 'disabled secret' })).CiphertextBlob;
  const pendingBlob = (await call('Encrypt', { KeyId: pending.KeyId, Plaintext: 'pending secret' })).CiphertextBlob;
  await call('DisableKey', { KeyId: disabled.KeyId });
  await call('ScheduleKeyDeletion', { KeyId: pending.KeyId, PendingWindowInDays: 7 });
  return {
    keyId: key.KeyId,
    keyArn: key.Arn,
    primaryVersion: key.PrimaryKeyVersion,
    aliasName,
    otherKeyId: other.KeyId,
    otherAliasName,
    otherPrimaryVersion: other.PrimaryKeyVersion,
    disabledKeyId: disabled.KeyId,
    pendingKeyId: pending.KeyId,
    blob,
    disabledBlob,
    pendingBlob,
  };
}

interface RefusalCase {
  /** The behaviour, as the test name states it. */
  readonly behaviour: string;
  readonly expected: ExpectedV3Error;
  readonly requests: (fx: Fixture) => Array<[string, Record<string, unknown>]>;
}

const KEY_NOT_FOUND: ExpectedV3Error = { code: 'Forbidden.KeyNotFound', statusCode: 404, message: 'The specified Key is not found.' };
const ALIAS_NOT_FOUND: ExpectedV3Error = { code: 'Forbidden.AliasNotFound', statusCode: 404, message: 'The specified Alias is not found.' };
const BAD_BLOB: ExpectedV3Error = {
  code: 'InvalidParameter',
  statusCode: 400,
  message: 'The specified parameter "CiphertextBlob" is not valid.',
};
const missing = (name: string): ExpectedV3Error => ({
  code: 'MissingParameter',
  statusCode: 400,
  message: `The parameter "${name}" is needed but not provided.`,
});
const invalid = (name: string): ExpectedV3Error => ({
  code: 'InvalidParameter',
  statusCode: 400,
  message: `The specified parameter "${name}" is not valid.`,
});
const REJECTED_DISABLED: ExpectedV3Error = {
  code: 'Rejected.Disabled',
  statusCode: 409,
  message: 'The request was rejected because the key state is Disabled.',
};
const REJECTED_PENDING_DELETION: ExpectedV3Error = {
  code: 'Rejected.PendingDeletion',
  statusCode: 409,
  message: 'The request was rejected because the key state is PendingDeletion.',
};
const STATE_MODIFIED_FAILED: ExpectedV3Error = { code: 'Rejected.StateModifiedFailed', statusCode: 409 };

/** Replaces the 36-byte key-version header of a blob, keeping IV, ciphertext and tag. */
function withHeader(blob: string, keyVersionId: string): string {
  const bytes = Buffer.from(blob, 'base64');
  return Buffer.concat([Buffer.from(keyVersionId, 'ascii'), bytes.subarray(36)]).toString('base64');
}

function truncated(blob: string, bytes: number): string {
  return Buffer.from(blob, 'base64').subarray(0, bytes).toString('base64');
}

const CASES: readonly RefusalCase[] = [
  {
    behaviour: 'an unknown KeyId, key Arn or foreign-account Arn is 404 Forbidden.KeyNotFound',
    expected: KEY_NOT_FOUND,
    requests: () => {
      const unknown = randomUUID();
      return [
        ['DescribeKey', { KeyId: unknown }],
        ['Encrypt', { KeyId: unknown, Plaintext: 'x' }],
        ['GenerateDataKey', { KeyId: unknown }],
        ['EnableKey', { KeyId: unknown }],
        ['ListResourceTags', { KeyId: unknown }],
        ['DescribeKey', { KeyId: `acs:kms:cn-hangzhou:${TEST_ACCOUNT_ID}:key/${unknown}` }],
        ['DescribeKey', { KeyId: `acs:kms:cn-hangzhou:9999999999999999:key/${unknown}` }],
      ];
    },
  },
  {
    behaviour: 'a key of this server named by an Arn of another account is 404 Forbidden.KeyNotFound',
    expected: KEY_NOT_FOUND,
    requests: (fx) => [
      ['DescribeKey', { KeyId: `acs:kms:cn-hangzhou:9999999999999999:key/${fx.keyId}` }],
      ['Encrypt', { KeyId: `acs:kms:ap-southeast-1:${TEST_ACCOUNT_ID}:key/${fx.keyId}`, Plaintext: 'x' }],
    ],
  },
  {
    behaviour: 'an unknown alias is 404 Forbidden.AliasNotFound wherever a KeyId or AliasName is taken',
    expected: ALIAS_NOT_FOUND,
    requests: (fx) => [
      ['DescribeKey', { KeyId: 'alias/sdk-errors-no-such-alias' }],
      ['Encrypt', { KeyId: 'alias/sdk-errors-no-such-alias', Plaintext: 'x' }],
      ['DeleteAlias', { AliasName: 'alias/sdk-errors-no-such-alias' }],
      ['UpdateAlias', { AliasName: 'alias/sdk-errors-no-such-alias', KeyId: fx.keyId }],
    ],
  },
  {
    behaviour: 'a missing required parameter is 400 MissingParameter naming it',
    expected: missing('Plaintext'),
    requests: (fx) => [
      ['Encrypt', { KeyId: fx.keyId }],
      ['Encrypt', { KeyId: fx.keyId, Plaintext: '' }],
    ],
  },
  {
    behaviour: 'a missing KeyId is 400 MissingParameter naming KeyId',
    expected: missing('KeyId'),
    requests: () => [
      ['DescribeKey', {}],
      ['Encrypt', { Plaintext: 'x' }],
      ['GenerateDataKey', {}],
      ['DisableKey', {}],
      ['ListAliasesByKeyId', {}],
    ],
  },
  {
    behaviour:
      'a missing CiphertextBlob, AliasName, DestinationKeyId, PendingWindowInDays, Description, Tags or TagKeys is 400 MissingParameter',
    expected: { code: 'MissingParameter', statusCode: 400 },
    requests: (fx) => [
      ['Decrypt', {}],
      ['CreateAlias', { KeyId: fx.keyId }],
      ['DeleteAlias', {}],
      ['ReEncrypt', { CiphertextBlob: fx.blob, SourceEncryptionContext: CONTEXT }],
      ['ScheduleKeyDeletion', { KeyId: fx.keyId }],
      ['UpdateKeyDescription', { KeyId: fx.keyId }],
      ['TagResource', { KeyId: fx.keyId }],
      ['UntagResource', { KeyId: fx.keyId }],
    ],
  },
  {
    behaviour: 'a malformed, truncated, bit-flipped or wrong-context CiphertextBlob is the one identical 400 InvalidParameter',
    expected: BAD_BLOB,
    requests: (fx) => {
      const length = Buffer.from(fx.blob, 'base64').length;
      const blobs = [
        'this is not base64!',
        `${fx.blob}*`,
        fx.blob.slice(0, -1),
        truncated(fx.blob, 20),
        truncated(fx.blob, 36),
        truncated(fx.blob, 36 + 12 + 15),
        truncated(fx.blob, length - 1),
        flipBit(fx.blob, 40), // IV
        flipBit(fx.blob, 36 + 12), // ciphertext
        flipBit(fx.blob, -1), // tag
        Buffer.concat([Buffer.from(fx.blob, 'base64'), Buffer.from([0])]).toString('base64'),
        // Another key's header on this key's sealed bytes.
        withHeader(fx.blob, fx.otherPrimaryVersion),
        // A header that is not a UUID.
        withHeader(fx.blob, 'X'.repeat(36)),
      ];
      const requests: Array<[string, Record<string, unknown>]> = blobs.map((blob) => [
        'Decrypt',
        { CiphertextBlob: blob, EncryptionContext: CONTEXT },
      ]);
      requests.push(['Decrypt', { CiphertextBlob: fx.blob }]);
      requests.push(['Decrypt', { CiphertextBlob: fx.blob, EncryptionContext: { ...CONTEXT, tenant: 't2' } }]);
      requests.push(['Decrypt', { CiphertextBlob: fx.blob, EncryptionContext: { purpose: 'errors' } }]);
      requests.push(['Decrypt', { CiphertextBlob: fx.blob, EncryptionContext: { ...CONTEXT, extra: '' } }]);
      requests.push(['ReEncrypt', { CiphertextBlob: fx.blob, DestinationKeyId: fx.otherKeyId }]);
      requests.push([
        'ReEncrypt',
        { CiphertextBlob: flipBit(fx.blob, -3), SourceEncryptionContext: CONTEXT, DestinationKeyId: fx.otherKeyId },
      ]);
      return requests;
    },
  },
  {
    behaviour: 'a well-formed blob naming an unknown key version is 404 Forbidden.KeyNotFound',
    expected: KEY_NOT_FOUND,
    requests: (fx) => [
      ['Decrypt', { CiphertextBlob: withHeader(fx.blob, randomUUID()), EncryptionContext: CONTEXT }],
      ['ReEncrypt', { CiphertextBlob: withHeader(fx.blob, randomUUID()), DestinationKeyId: fx.keyId }],
    ],
  },
  {
    behaviour: 'a Plaintext over 6144 UTF-8 bytes is 400 InvalidParameter',
    expected: invalid('Plaintext'),
    requests: (fx) => [
      ['Encrypt', { KeyId: fx.keyId, Plaintext: 'p'.repeat(6145) }],
      ['Encrypt', { KeyId: fx.keyId, Plaintext: '汉'.repeat(2049) }],
    ],
  },
  {
    behaviour: 'an EncryptionContext that is not a JSON object of strings is 400 InvalidParameter',
    expected: invalid('EncryptionContext'),
    requests: (fx) =>
      [
        '["a","b"]',
        '{"a":1}',
        '{"a":{"b":"c"}}',
        '{"a":["b"]}',
        '{"a":null}',
        '{"a":true}',
        '{a:"b"}',
        '{"a":"b"',
        'null',
        '"text"',
        '42',
      ].flatMap((context): Array<[string, Record<string, unknown>]> => [
        ['Encrypt', { KeyId: fx.keyId, Plaintext: 'x', EncryptionContext: context }],
        ['Decrypt', { CiphertextBlob: fx.blob, EncryptionContext: context }],
        ['GenerateDataKey', { KeyId: fx.keyId, EncryptionContext: context }],
      ]),
  },
  {
    behaviour: 'an unknown KeySpec is 400 InvalidParameter',
    expected: invalid('KeySpec'),
    requests: (fx) => [
      ['CreateKey', { KeySpec: 'Aliyun_AES_512' }],
      ['CreateKey', { KeySpec: 'AES_256' }],
      ['GenerateDataKey', { KeyId: fx.keyId, KeySpec: 'AES_512' }],
      ['GenerateDataKeyWithoutPlaintext', { KeyId: fx.keyId, KeySpec: 'SM4_128' }],
    ],
  },
  {
    behaviour: 'PageSize 0 or 101 is 400 InvalidParameter',
    expected: invalid('PageSize'),
    requests: (fx) => [
      ['ListKeys', { PageSize: 0 }],
      ['ListKeys', { PageSize: 101 }],
      ['ListAliases', { PageSize: 0 }],
      ['ListAliases', { PageSize: 101 }],
      ['ListAliasesByKeyId', { KeyId: fx.keyId, PageSize: 0 }],
      ['ListAliasesByKeyId', { KeyId: fx.keyId, PageSize: 101 }],
    ],
  },
  {
    behaviour: 'PageNumber 0 is 400 InvalidParameter',
    expected: invalid('PageNumber'),
    requests: (fx) => [
      ['ListKeys', { PageNumber: 0 }],
      ['ListAliases', { PageNumber: 0 }],
      ['ListAliasesByKeyId', { KeyId: fx.keyId, PageNumber: 0 }],
      ['ListKeys', { PageNumber: -1 }],
    ],
  },
  {
    behaviour:
      'an alias name without the alias/ prefix, with the reserved alias/acs prefix, with illegal characters or too long is 400 InvalidParameter',
    expected: invalid('AliasName'),
    requests: (fx) =>
      [
        'sdk-errors-no-prefix',
        'Alias/sdk-errors-capital',
        'alias/',
        'alias/acs',
        'alias/acs-reserved',
        'alias/acsfoo',
        'alias/has space',
        'alias/dot.name',
        'alias/star*',
        'alias/ünïcode',
        `alias/${'a'.repeat(256)}`,
      ].flatMap((aliasName): Array<[string, Record<string, unknown>]> => [
        ['CreateAlias', { AliasName: aliasName, KeyId: fx.keyId }],
        ['UpdateAlias', { AliasName: aliasName, KeyId: fx.keyId }],
      ]),
  },
  {
    behaviour: 'creating an alias that exists is 400 AliasAlreadyExists, whichever key it would name',
    expected: { code: 'AliasAlreadyExists', statusCode: 400, message: 'AliasName Already Exists.' },
    requests: (fx) => [
      ['CreateAlias', { AliasName: fx.aliasName, KeyId: fx.keyId }],
      ['CreateAlias', { AliasName: fx.aliasName, KeyId: fx.otherKeyId }],
      ['CreateAlias', { AliasName: fx.otherAliasName, KeyId: fx.aliasName }],
    ],
  },
  {
    behaviour: 'PendingWindowInDays outside 7 to 366 is 400 InvalidParameter',
    expected: invalid('PendingWindowInDays'),
    requests: (fx) => [
      ['ScheduleKeyDeletion', { KeyId: fx.keyId, PendingWindowInDays: 6 }],
      ['ScheduleKeyDeletion', { KeyId: fx.keyId, PendingWindowInDays: 367 }],
      ['ScheduleKeyDeletion', { KeyId: fx.keyId, PendingWindowInDays: 0 }],
      ['ScheduleKeyDeletion', { KeyId: fx.keyId, PendingWindowInDays: -7 }],
      ['ScheduleKeyDeletion', { KeyId: fx.keyId, PendingWindowInDays: 'seven' }],
      ['ScheduleKeyDeletion', { KeyId: fx.keyId, PendingWindowInDays: '7.5' }],
    ],
  },
  {
    behaviour: 'NumberOfBytes 0 or 1025 is 400 InvalidParameter',
    expected: invalid('NumberOfBytes'),
    requests: (fx) => [
      ['GenerateDataKey', { KeyId: fx.keyId, NumberOfBytes: 0 }],
      ['GenerateDataKey', { KeyId: fx.keyId, NumberOfBytes: 1025 }],
      ['GenerateDataKey', { KeyId: fx.keyId, KeySpec: 'AES_256', NumberOfBytes: 1025 }],
      ['GenerateDataKeyWithoutPlaintext', { KeyId: fx.keyId, NumberOfBytes: 0 }],
      ['GenerateDataKeyWithoutPlaintext', { KeyId: fx.keyId, NumberOfBytes: 1025 }],
    ],
  },
  {
    behaviour: 'using a Disabled key is 409 Rejected.Disabled',
    expected: REJECTED_DISABLED,
    requests: (fx) => [
      ['Encrypt', { KeyId: fx.disabledKeyId, Plaintext: 'x' }],
      ['Decrypt', { CiphertextBlob: fx.disabledBlob }],
      ['GenerateDataKey', { KeyId: fx.disabledKeyId }],
      ['GenerateDataKeyWithoutPlaintext', { KeyId: fx.disabledKeyId }],
      ['ReEncrypt', { CiphertextBlob: fx.blob, SourceEncryptionContext: CONTEXT, DestinationKeyId: fx.disabledKeyId }],
      ['ReEncrypt', { CiphertextBlob: fx.disabledBlob, DestinationKeyId: fx.keyId }],
    ],
  },
  {
    behaviour: 'using a PendingDeletion key is 409 Rejected.PendingDeletion',
    expected: REJECTED_PENDING_DELETION,
    requests: (fx) => [
      ['Encrypt', { KeyId: fx.pendingKeyId, Plaintext: 'x' }],
      ['Decrypt', { CiphertextBlob: fx.pendingBlob }],
      ['GenerateDataKey', { KeyId: fx.pendingKeyId }],
      ['GenerateDataKeyWithoutPlaintext', { KeyId: fx.pendingKeyId }],
      ['ReEncrypt', { CiphertextBlob: fx.pendingBlob, DestinationKeyId: fx.keyId }],
      ['UpdateAlias', { AliasName: fx.aliasName, KeyId: fx.pendingKeyId }],
    ],
  },
  {
    behaviour:
      'EnableKey, DisableKey, ScheduleKeyDeletion, CreateAlias and SetDeletionProtection on a PendingDeletion key are 409 Rejected.StateModifiedFailed',
    expected: STATE_MODIFIED_FAILED,
    requests: (fx) => [
      ['EnableKey', { KeyId: fx.pendingKeyId }],
      ['DisableKey', { KeyId: fx.pendingKeyId }],
      ['ScheduleKeyDeletion', { KeyId: fx.pendingKeyId, PendingWindowInDays: 30 }],
      ['CreateAlias', { AliasName: `alias/sdk-errors-never-${randomUUID()}`, KeyId: fx.pendingKeyId }],
      ['SetDeletionProtection', { KeyId: fx.pendingKeyId, EnableDeletionProtection: true }],
    ],
  },
  {
    behaviour: 'CancelKeyDeletion on a key that is not PendingDeletion is 409 Rejected.StateModifiedFailed',
    expected: STATE_MODIFIED_FAILED,
    requests: (fx) => [
      ['CancelKeyDeletion', { KeyId: fx.keyId }],
      ['CancelKeyDeletion', { KeyId: fx.disabledKeyId }],
    ],
  },
  {
    behaviour: 'an action of the reference that Arca lacks is 400 UnsupportedOperation naming it',
    expected: {
      code: 'UnsupportedOperation',
      statusCode: 400,
      message: 'This action is not supported: GetSecretValue is an action of the KMS API 2016-01-20 that this server does not implement.',
    },
    requests: () => [
      ['GetSecretValue', { SecretName: 'app/db' }],
      ['GetSecretValue', {}],
    ],
  },
  {
    behaviour: 'an unknown action is 404 InvalidAction.NotFound',
    expected: { code: 'InvalidAction.NotFound', statusCode: 404 },
    requests: (fx) => [
      ['NoSuchAction', {}],
      ['encrypt', { KeyId: fx.keyId, Plaintext: 'x' }],
      ['DescribeKeyX', { KeyId: fx.keyId }],
    ],
  },
];

async function runCase(fx: Fixture, refusal: RefusalCase): Promise<Array<{ code: string; message: string }>> {
  const seen: Array<{ code: string; message: string }> = [];
  for (const [action, query] of refusal.requests(fx)) {
    const thrown = await expectV3Error(call(action, query), refusal.expected).catch((error: unknown) => {
      if (error instanceof assert.AssertionError) {
        error.message = `${action} ${JSON.stringify(query).slice(0, 300)}: ${error.message}`;
      }
      throw error;
    });
    seen.push({ code: thrown.data.Code, message: thrown.data.Message });
  }
  return seen;
}

describe('refusals through the 3.x SDK path', () => {
  for (const refusal of CASES) {
    it(refusal.behaviour, async () => {
      const fx = await makeFixture();
      await runCase(fx, refusal);
    });
  }

  it('gives every CiphertextBlob fault, including a wrong context, the very same Code and Message', async () => {
    const fx = await makeFixture();
    const blobCase = CASES.find((refusal) => refusal.expected === BAD_BLOB);
    assert.ok(blobCase);
    const seen = await runCase(fx, blobCase);
    assert.ok(seen.length > 10);
    assert.equal(new Set(seen.map((entry) => `${entry.code}|${entry.message}`)).size, 1, JSON.stringify(seen));
  });

  it('keeps the error body to RequestId, HostId, Code, Message and Recommend, and the SDK message to its documented form', async () => {
    const fx = await makeFixture();
    const thrown = await expectV3Error(call('Decrypt', { CiphertextBlob: flipBit(fx.blob, -1), EncryptionContext: CONTEXT }), BAD_BLOB);
    assert.deepEqual(Object.keys(thrown.data), ['RequestId', 'HostId', 'Code', 'Message', 'Recommend']);
    assert.equal(thrown.data.Recommend, '/docs/errors.md?q=InvalidParameter');
    assert.match(thrown.message, /^InvalidParameter: code: 400, /);
  });
});

describe('DryRun', () => {
  async function dryRunError(promise: Promise<unknown>): Promise<any> {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    assert.fail('a DryRun never succeeds');
  }

  it('answers a DryRun that would succeed with DryRunOperationError on Decrypt, GenerateDataKey and ReEncrypt', async () => {
    const fx = await makeFixture();
    const requests: Array<[string, Record<string, unknown>]> = [
      ['Decrypt', { CiphertextBlob: fx.blob, EncryptionContext: CONTEXT, DryRun: 'true' }],
      ['GenerateDataKey', { KeyId: fx.keyId, DryRun: 'true' }],
      ['GenerateDataKeyWithoutPlaintext', { KeyId: fx.aliasName, DryRun: 'true' }],
      ['ReEncrypt', { CiphertextBlob: fx.blob, SourceEncryptionContext: CONTEXT, DestinationKeyId: fx.otherKeyId, DryRun: 'true' }],
    ];
    for (const [action, query] of requests) {
      const thrown = await dryRunError(call(action, query));
      assert.equal(thrown.code, 'DryRunOperationError', `${action}: ${JSON.stringify(thrown.data)}`);
      assert.ok(thrown.statusCode >= 400 && thrown.statusCode < 500);
      assertRequestId(thrown.data);
      assert.equal(thrown.data.Plaintext, undefined);
    }
  });

  it('answers a DryRun on a Disabled key with Rejected.Disabled, as the real call would be', async () => {
    const fx = await makeFixture();
    await expectV3Error(call('Encrypt', { KeyId: fx.disabledKeyId, Plaintext: 'x', DryRun: 'true' }), REJECTED_DISABLED);
    await expectV3Error(call('Decrypt', { CiphertextBlob: fx.disabledBlob, DryRun: 'true' }), REJECTED_DISABLED);
  });

  it('does not vouch for a tampered blob or a wrong context: a DryRun Decrypt or ReEncrypt answers the opaque 400 InvalidParameter', async () => {
    const fx = await makeFixture();
    const requests: Array<[string, Record<string, unknown>]> = [
      ['Decrypt', { CiphertextBlob: fx.blob, EncryptionContext: { tenant: 'someone else' }, DryRun: 'true' }],
      ['Decrypt', { CiphertextBlob: fx.blob, DryRun: 'true' }],
      ['Decrypt', { CiphertextBlob: flipBit(fx.blob, -1), EncryptionContext: CONTEXT, DryRun: 'true' }],
      ['ReEncrypt', { CiphertextBlob: fx.blob, DestinationKeyId: fx.otherKeyId, DryRun: 'true' }],
    ];
    for (const [action, query] of requests) {
      await expectV3Error(call(action, query), BAD_BLOB).catch((error: unknown) => {
        if (error instanceof assert.AssertionError) error.message = `${action} ${JSON.stringify(query)}: ${error.message}`;
        throw error;
      });
    }
  });
});

/** Everything a client can read about stored keys and aliases, without RequestIds. */
async function snapshot(): Promise<unknown> {
  const keys: any[] = [];
  for (let page = 1; ; page++) {
    const body = await call('ListKeys', { PageNumber: page, PageSize: 100 });
    keys.push(...body.Keys.Key);
    if (keys.length >= body.TotalCount || body.Keys.Key.length === 0) break;
  }
  const aliases: any[] = [];
  for (let page = 1; ; page++) {
    const body = await call('ListAliases', { PageNumber: page, PageSize: 100 });
    aliases.push(...body.Aliases.Alias);
    if (aliases.length >= body.TotalCount || body.Aliases.Alias.length === 0) break;
  }
  const details = [];
  for (const { KeyId } of keys) {
    const metadata = (await call('DescribeKey', { KeyId })).KeyMetadata;
    const tags = (await call('ListResourceTags', { KeyId })).Tags;
    const byKey = (await call('ListAliasesByKeyId', { KeyId, PageSize: 100 })).Aliases;
    details.push({ metadata, tags, byKey });
  }
  return { keys, aliases, details };
}

describe('after the refusals', () => {
  it('leaves every stored key, alias and tag exactly as it was, and the server still answers', async () => {
    const fx = await makeFixture();
    const before = await snapshot();
    for (const refusal of CASES) await runCase(fx, refusal);
    const after = await snapshot();
    assert.deepEqual(after, before);

    const status = await call('DescribeAccountKmsStatus', {});
    assertRequestId(status);
    assert.equal(status.AccountStatus, 'Enabled');
    const decrypted = await call('Decrypt', { CiphertextBlob: fx.blob, EncryptionContext: CONTEXT });
    assert.equal(decrypted.Plaintext, 'fixture secret');
    const encrypted = await call('Encrypt', { KeyId: fx.aliasName, Plaintext: 'still here' });
    assert.equal((await call('Decrypt', { CiphertextBlob: encrypted.CiphertextBlob })).Plaintext, 'still here');
  });
});
