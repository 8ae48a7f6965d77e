// Conformance of every supported action through the current SDK's wire path (openapi-core
// callApi, ACS3-HMAC-SHA256): successful calls, responses checked field by field against
// alibaba-kms-api.md §6.
import assert from 'node:assert/strict';
import { constants, createPublicKey, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ACTION_TABLE } from '../../src/api/action-table.js';
import { v3Caller } from '../support/clients.js';
import { aliasNamer, testServerForFile, type Call } from '../support/sdk-calls.js';
import { TEST_ACCOUNT_ID, TEST_REGION } from '../support/server.js';
import {
  aliasArnOf,
  assertOnlyRequestId,
  assertRequestId,
  base64Bytes,
  DAY_MS,
  expectV3Error,
  keyArnOf,
  LOWER_UUID,
  wireDateMs,
} from './support-sdk-assertions.js';

let call: Call;
/** Every action that answered a call of this file successfully. */
const succeeded = new Set<string>();

testServerForFile((server) => {
  const caller = v3Caller(server);
  call = async (action, query) => {
    const body = await caller(action, query);
    succeeded.add(action);
    return body;
  };
});

const uniqueAlias = aliasNamer('sdk-v3');

async function createKey(query: Record<string, unknown> = {}): Promise<any> {
  const body = await call('CreateKey', query);
  return body.KeyMetadata;
}

async function describeKey(keyId: string): Promise<any> {
  const body = await call('DescribeKey', { KeyId: keyId });
  return body.KeyMetadata;
}

/** Every KeyId from every page of ListKeys (optionally filtered). */
async function allKeyIds(filters?: unknown): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const body = await call('ListKeys', { PageNumber: page, PageSize: 100, ...(filters ? { Filters: filters } : {}) });
    ids.push(...body.Keys.Key.map((key: any) => key.KeyId));
    if (ids.length >= body.TotalCount || body.Keys.Key.length === 0) return ids;
  }
}

/** The fields §6.1 lists for CreateKey's KeyMetadata, for a new symmetric key with no rotation. */
function assertNewKeyMetadata(metadata: any, expected: { keySpec: string; description: string }, window: { from: number; to: number }) {
  assert.match(metadata.KeyId, LOWER_UUID);
  assert.equal(metadata.Arn, `acs:kms:${TEST_REGION}:${TEST_ACCOUNT_ID}:key/${metadata.KeyId}`);
  assert.equal(metadata.AutomaticRotation, 'Disabled');
  const created = wireDateMs(metadata.CreationDate, 'CreationDate');
  assert.ok(created >= Math.floor(window.from / 1000) * 1000 && created <= window.to, 'CreationDate is now');
  assert.equal(metadata.Creator, TEST_ACCOUNT_ID);
  assert.equal(metadata.DeleteDate, '');
  assert.equal(metadata.Description, expected.description);
  assert.equal(metadata.KeySpec, expected.keySpec);
  assert.equal(metadata.KeyState, 'Enabled');
  assert.equal(metadata.KeyUsage, 'ENCRYPT/DECRYPT');
  wireDateMs(metadata.LastRotationDate, 'LastRotationDate');
  assert.equal(metadata.MaterialExpireTime, '');
  assert.equal(metadata.Origin, 'Aliyun_KMS');
  assert.match(metadata.PrimaryKeyVersion, LOWER_UUID);
  assert.equal(metadata.ProtectionLevel, 'SOFTWARE');
  assert.equal(metadata.NextRotationDate, undefined, 'no NextRotationDate without automatic rotation');
  assert.equal(metadata.RotationInterval, undefined, 'no RotationInterval without automatic rotation');
}

describe('CreateKey and DescribeKey', () => {
  it('creates an Aliyun_AES_256 key by default with every KeyMetadata field in its wire form', async () => {
    const from = Date.now();
    const body = await call('CreateKey', {});
    const to = Date.now();
    assertRequestId(body);
    assert.deepEqual(Object.keys(body).sort(), ['KeyMetadata', 'RequestId']);
    assertNewKeyMetadata(body.KeyMetadata, { keySpec: 'Aliyun_AES_256', description: '' }, { from, to });
  });

  it('creates an Aliyun_SM4 key with a Description and Tags', async () => {
    const from = Date.now();
    const metadata = await createKey({
      KeySpec: 'Aliyun_SM4',
      Description: 'SM4 key for ledger rows',
      Tags: [
        { TagKey: 'env', TagValue: 'test' },
        { TagKey: 'team', TagValue: 'payments' },
      ],
    });
    assertNewKeyMetadata(metadata, { keySpec: 'Aliyun_SM4', description: 'SM4 key for ledger rows' }, { from, to: Date.now() });
    const tags = await call('ListResourceTags', { KeyId: metadata.KeyId });
    assert.deepEqual(
      [...tags.Tags.Tag].sort((a: any, b: any) => a.TagKey.localeCompare(b.TagKey)),
      [
        { KeyId: metadata.KeyId, TagKey: 'env', TagValue: 'test' },
        { KeyId: metadata.KeyId, TagKey: 'team', TagValue: 'payments' },
      ],
    );
  });

  it('reports automatic rotation as Enabled with RotationInterval in seconds and NextRotationDate one interval on', async () => {
    const metadata = await createKey({ EnableAutomaticRotation: true, RotationInterval: '30d' });
    assert.equal(metadata.AutomaticRotation, 'Enabled');
    assert.equal(metadata.RotationInterval, '2592000s');
    const last = wireDateMs(metadata.LastRotationDate, 'LastRotationDate');
    const next = wireDateMs(metadata.NextRotationDate, 'NextRotationDate');
    assert.equal(next - last, 30 * DAY_MS);

    const described = await describeKey(metadata.KeyId);
    assert.equal(described.AutomaticRotation, 'Enabled');
    assert.equal(described.RotationInterval, '2592000s');
    assert.equal(described.NextRotationDate, metadata.NextRotationDate);
  });

  it('reports automatic rotation as Suspended while the key is Disabled, and Enabled again once enabled', async () => {
    const metadata = await createKey({ EnableAutomaticRotation: true, RotationInterval: '10d' });
    await call('DisableKey', { KeyId: metadata.KeyId });
    const disabled = await describeKey(metadata.KeyId);
    assert.equal(disabled.AutomaticRotation, 'Suspended');
    assert.equal(disabled.RotationInterval, '864000s');
    assert.equal(disabled.NextRotationDate, metadata.NextRotationDate);
    await call('EnableKey', { KeyId: metadata.KeyId });
    assert.equal((await describeKey(metadata.KeyId)).AutomaticRotation, 'Enabled');
  });

  it('accepts a RotationInterval given in seconds', async () => {
    const metadata = await createKey({ KeySpec: 'Aliyun_SM4', EnableAutomaticRotation: 'true', RotationInterval: '604800s' });
    assert.equal(metadata.AutomaticRotation, 'Enabled');
    assert.equal(metadata.RotationInterval, '604800s');
    assert.equal(wireDateMs(metadata.NextRotationDate) - wireDateMs(metadata.LastRotationDate), 7 * DAY_MS);
  });

  it('describes a key by its id, its alias and its Arn, always answering with the real KeyId', async () => {
    const created = await createKey({ Description: 'three names' });
    const aliasName = uniqueAlias('describe');
    assertOnlyRequestId(await call('CreateAlias', { AliasName: aliasName, KeyId: created.KeyId }));

    const byId = await call('DescribeKey', { KeyId: created.KeyId });
    assertRequestId(byId);
    const byAlias = await describeKey(aliasName);
    const byArn = await describeKey(keyArnOf(created.KeyId));
    for (const metadata of [byId.KeyMetadata, byAlias, byArn]) {
      assert.equal(metadata.KeyId, created.KeyId);
      assert.equal(metadata.Arn, created.Arn);
      assert.equal(metadata.Description, 'three names');
      assert.equal(metadata.CreationDate, created.CreationDate);
      assert.equal(metadata.PrimaryKeyVersion, created.PrimaryKeyVersion);
      assert.equal(metadata.DeletionProtection, 'Disabled');
      assert.equal(metadata.DeletionProtectionDescription, '');
    }
    assert.deepEqual(byAlias, byId.KeyMetadata);
    assert.deepEqual(byArn, byId.KeyMetadata);
  });
});

describe('Encrypt and Decrypt', () => {
  for (const keySpec of ['Aliyun_AES_256', 'Aliyun_SM4']) {
    it(`round-trips under ${keySpec} without an encryption context`, async () => {
      const key = await createKey({ KeySpec: keySpec });
      const encrypted = await call('Encrypt', { KeyId: key.KeyId, Plaintext: 'aGVsbG8gd29ybGQ=' });
      assertRequestId(encrypted);
      assert.deepEqual(Object.keys(encrypted).sort(), ['CiphertextBlob', 'KeyId', 'KeyVersionId', 'RequestId']);
      assert.equal(encrypted.KeyId, key.KeyId);
      assert.equal(encrypted.KeyVersionId, key.PrimaryKeyVersion);
      const blob = base64Bytes(encrypted.CiphertextBlob);
      // DESIGN: KeyVersionId (36 ASCII) ‖ IV (12) ‖ ciphertext ‖ tag (16).
      assert.equal(blob.toString('latin1', 0, 36), key.PrimaryKeyVersion);
      assert.equal(blob.length, 36 + 12 + Buffer.byteLength('aGVsbG8gd29ybGQ=') + 16);

      const decrypted = await call('Decrypt', { CiphertextBlob: encrypted.CiphertextBlob });
      assertRequestId(decrypted);
      assert.deepEqual(Object.keys(decrypted).sort(), ['KeyId', 'KeyVersionId', 'Plaintext', 'RequestId']);
      assert.equal(decrypted.Plaintext, 'aGVsbG8gd29ybGQ=');
      assert.equal(decrypted.KeyId, key.KeyId);
      assert.equal(decrypted.KeyVersionId, key.PrimaryKeyVersion);
    });

    it(`round-trips under ${keySpec} with an encryption context whose key order does not matter`, async () => {
      const key = await createKey({ KeySpec: keySpec });
      const encrypted = await call('Encrypt', {
        KeyId: key.KeyId,
        Plaintext: 'secret row 17',
        EncryptionContext: { tenant: 'acme', table: 'orders', row: '17' },
      });
      const reordered = await call('Decrypt', {
        CiphertextBlob: encrypted.CiphertextBlob,
        EncryptionContext: '{"row":"17","table":"orders","tenant":"acme"}',
      });
      assert.equal(reordered.Plaintext, 'secret row 17');
      const spaced = await call('Decrypt', {
        CiphertextBlob: encrypted.CiphertextBlob,
        EncryptionContext: '{ "table" : "orders",\n "tenant": "acme", "row": "17" }',
      });
      assert.equal(spaced.Plaintext, 'secret row 17');
    });

    it(`refuses to decrypt under ${keySpec} with a different, partial or missing encryption context`, async () => {
      const key = await createKey({ KeySpec: keySpec });
      const encrypted = await call('Encrypt', { KeyId: key.KeyId, Plaintext: 'bound', EncryptionContext: { a: '1', b: '2' } });
      const refusal = { code: 'InvalidParameter', statusCode: 400, message: 'The specified parameter "CiphertextBlob" is not valid.' };
      await expectV3Error(call('Decrypt', { CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { a: '1', b: '3' } }), refusal);
      await expectV3Error(call('Decrypt', { CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { a: '1' } }), refusal);
      await expectV3Error(call('Decrypt', { CiphertextBlob: encrypted.CiphertextBlob }), refusal);
      await expectV3Error(call('Decrypt', { CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { ab: '12' } }), refusal);
    });
  }

  it('refuses to decrypt a blob sealed without a context when a context is given', async () => {
    const key = await createKey();
    const encrypted = await call('Encrypt', { KeyId: key.KeyId, Plaintext: 'unbound' });
    await expectV3Error(call('Decrypt', { CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { a: '1' } }), {
      code: 'InvalidParameter',
      statusCode: 400,
    });
    // `{}` is the same as no context.
    const empty = await call('Decrypt', { CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: {} });
    assert.equal(empty.Plaintext, 'unbound');
  });

  it('encrypts by alias and by Arn, using the key the name points to', async () => {
    const key = await createKey({ KeySpec: 'Aliyun_SM4' });
    const aliasName = uniqueAlias('encrypt');
    await call('CreateAlias', { AliasName: aliasName, KeyId: key.KeyId });
    for (const reference of [aliasName, key.Arn]) {
      const encrypted = await call('Encrypt', { KeyId: reference, Plaintext: `via ${reference}` });
      assert.equal(encrypted.KeyId, key.KeyId);
      assert.equal(encrypted.KeyVersionId, key.PrimaryKeyVersion);
      const decrypted = await call('Decrypt', { CiphertextBlob: encrypted.CiphertextBlob });
      assert.equal(decrypted.Plaintext, `via ${reference}`);
      assert.equal(decrypted.KeyId, key.KeyId);
    }
  });

  it('treats Plaintext as an opaque string: non-base64 text, unicode and reserved URL characters come back unchanged', async () => {
    const key = await createKey();
    const texts = [
      'plain words, not base64!',
      '汉字 🔐 ñandú — “quotes”',
      "a+b/c= d*()'!~",
      '%41%2B & = ? # ; : @ $ , [ ] { } | \\ ^ ` < > "',
      '  leading and trailing spaces  ',
      'line one\nline two\r\n\ttabbed',
      '====',
    ];
    for (const text of texts) {
      const encrypted = await call('Encrypt', { KeyId: key.KeyId, Plaintext: text });
      const blob = Buffer.from(encrypted.CiphertextBlob, 'base64');
      assert.equal(blob.length, 36 + 12 + Buffer.byteLength(text, 'utf8') + 16, `sealed as its UTF-8 bytes: ${text}`);
      const decrypted = await call('Decrypt', { CiphertextBlob: encrypted.CiphertextBlob });
      assert.equal(decrypted.Plaintext, text);
    }
  });

  it('accepts a Plaintext of exactly 6144 UTF-8 bytes and refuses 6145', async () => {
    const key = await createKey({ KeySpec: 'Aliyun_SM4' });
    const ascii = 'x'.repeat(6144);
    const multibyte = '€'.repeat(2048); // 3 bytes each: 6144 bytes, 2048 characters
    for (const text of [ascii, multibyte]) {
      const encrypted = await call('Encrypt', { KeyId: key.KeyId, Plaintext: text });
      const decrypted = await call('Decrypt', { CiphertextBlob: encrypted.CiphertextBlob });
      assert.equal(decrypted.Plaintext, text);
    }
    for (const text of [`${ascii}x`, `${multibyte}x`]) {
      await expectV3Error(call('Encrypt', { KeyId: key.KeyId, Plaintext: text }), {
        code: 'InvalidParameter',
        statusCode: 400,
        message: 'The specified parameter "Plaintext" is not valid.',
      });
    }
  });

  it('answers DryRun=true on Encrypt with DryRunOperationError and seals nothing', async () => {
    const key = await createKey();
    let thrown: any;
    try {
      await call('Encrypt', { KeyId: key.KeyId, Plaintext: 'dry', DryRun: 'true' });
    } catch (error) {
      thrown = error;
    }
    assert.ok(thrown, 'DryRun=true fails');
    assert.equal(thrown.code, 'DryRunOperationError');
    assert.equal(thrown.data.Code, 'DryRunOperationError');
    assert.ok(thrown.statusCode >= 400 && thrown.statusCode < 500, `a 4xx, got ${thrown.statusCode}`);
    assert.equal(thrown.data.CiphertextBlob, undefined);
    assertRequestId(thrown.data);

    const wet = await call('Encrypt', { KeyId: key.KeyId, Plaintext: 'wet', DryRun: 'false' });
    assert.equal((await call('Decrypt', { CiphertextBlob: wet.CiphertextBlob })).Plaintext, 'wet');
  });
});

describe('GenerateDataKey and GenerateDataKeyWithoutPlaintext', () => {
  it('returns a 32-byte data key by default, as base64, whose blob decrypts to the same base64 text', async () => {
    const key = await createKey();
    const body = await call('GenerateDataKey', { KeyId: key.KeyId });
    assertRequestId(body);
    assert.deepEqual(Object.keys(body).sort(), ['CiphertextBlob', 'KeyId', 'KeyVersionId', 'Plaintext', 'RequestId']);
    assert.equal(body.KeyId, key.KeyId);
    assert.equal(body.KeyVersionId, key.PrimaryKeyVersion);
    assert.equal(base64Bytes(body.Plaintext).length, 32);
    const blob = base64Bytes(body.CiphertextBlob);
    // The blob seals the 44-character base64 text: 36 + 12 + 44 + 16 = 108 bytes.
    assert.equal(blob.length, 108);
    const decrypted = await call('Decrypt', { CiphertextBlob: body.CiphertextBlob });
    assert.equal(decrypted.Plaintext, body.Plaintext);
    assert.equal(decrypted.KeyId, key.KeyId);
  });

  it('sizes the data key from KeySpec (AES_128 16 bytes, AES_256 32 bytes) and lets NumberOfBytes win', async () => {
    const key = await createKey({ KeySpec: 'Aliyun_SM4' });
    const cases: Array<[Record<string, unknown>, number]> = [
      [{ KeySpec: 'AES_128' }, 16],
      [{ KeySpec: 'AES_256' }, 32],
      [{ NumberOfBytes: 1 }, 1],
      [{ NumberOfBytes: 1024 }, 1024],
      [{ KeySpec: 'AES_128', NumberOfBytes: 64 }, 64],
      [{ KeySpec: 'AES_256', NumberOfBytes: 16 }, 16],
      // The Encryption SDK sends an unknown KeySpec together with NumberOfBytes.
      [{ KeySpec: 'SM4_128', NumberOfBytes: 16 }, 16],
    ];
    for (const [query, length] of cases) {
      const body = await call('GenerateDataKey', { KeyId: key.KeyId, ...query });
      assert.equal(base64Bytes(body.Plaintext).length, length, JSON.stringify(query));
      const decrypted = await call('Decrypt', { CiphertextBlob: body.CiphertextBlob });
      assert.equal(decrypted.Plaintext, body.Plaintext, JSON.stringify(query));
    }
  });

  it('binds a data key to its encryption context', async () => {
    const key = await createKey();
    const body = await call('GenerateDataKey', { KeyId: key.KeyId, EncryptionContext: { file: 'a.bin', owner: 'x' } });
    const decrypted = await call('Decrypt', { CiphertextBlob: body.CiphertextBlob, EncryptionContext: { owner: 'x', file: 'a.bin' } });
    assert.equal(decrypted.Plaintext, body.Plaintext);
    await expectV3Error(call('Decrypt', { CiphertextBlob: body.CiphertextBlob }), { code: 'InvalidParameter', statusCode: 400 });
  });

  it('returns only the blob from GenerateDataKeyWithoutPlaintext, which decrypts to a base64 data key', async () => {
    const key = await createKey({ KeySpec: 'Aliyun_SM4' });
    const aliasName = uniqueAlias('gdkwp');
    await call('CreateAlias', { AliasName: aliasName, KeyId: key.KeyId });
    const body = await call('GenerateDataKeyWithoutPlaintext', { KeyId: aliasName, EncryptionContext: { purpose: 'backup' } });
    assertRequestId(body);
    assert.deepEqual(Object.keys(body).sort(), ['CiphertextBlob', 'KeyId', 'KeyVersionId', 'RequestId']);
    assert.equal(body.KeyId, key.KeyId);
    assert.equal(body.KeyVersionId, key.PrimaryKeyVersion);
    const decrypted = await call('Decrypt', { CiphertextBlob: body.CiphertextBlob, EncryptionContext: { purpose: 'backup' } });
    assert.equal(base64Bytes(decrypted.Plaintext).length, 32);

    const short = await call('GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId, KeySpec: 'AES_128' });
    assert.equal(base64Bytes((await call('Decrypt', { CiphertextBlob: short.CiphertextBlob })).Plaintext).length, 16);
    const sized = await call('GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId, NumberOfBytes: 48 });
    assert.equal(base64Bytes((await call('Decrypt', { CiphertextBlob: sized.CiphertextBlob })).Plaintext).length, 48);
  });
});

describe('ReEncrypt', () => {
  it('moves a ciphertext to another key and context; the new blob decrypts under the destination only', async () => {
    const source = await createKey();
    const destination = await createKey();
    const encrypted = await call('Encrypt', { KeyId: source.KeyId, Plaintext: 'moving day', EncryptionContext: { from: 'source' } });
    const moved = await call('ReEncrypt', {
      CiphertextBlob: encrypted.CiphertextBlob,
      SourceEncryptionContext: { from: 'source' },
      DestinationKeyId: destination.KeyId,
      DestinationEncryptionContext: { to: 'destination' },
    });
    assertRequestId(moved);
    assert.deepEqual(Object.keys(moved).sort(), ['CiphertextBlob', 'KeyId', 'KeyVersionId', 'RequestId']);
    assert.equal(moved.KeyId, destination.KeyId);
    assert.equal(moved.KeyVersionId, destination.PrimaryKeyVersion);
    assert.equal(base64Bytes(moved.CiphertextBlob).toString('latin1', 0, 36), destination.PrimaryKeyVersion);

    const decrypted = await call('Decrypt', { CiphertextBlob: moved.CiphertextBlob, EncryptionContext: { to: 'destination' } });
    assert.equal(decrypted.Plaintext, 'moving day');
    assert.equal(decrypted.KeyId, destination.KeyId);
    await expectV3Error(call('Decrypt', { CiphertextBlob: moved.CiphertextBlob, EncryptionContext: { from: 'source' } }), {
      code: 'InvalidParameter',
      statusCode: 400,
    });
  });

  it('re-encrypts from an AES key to an SM4 key named by alias', async () => {
    const source = await createKey({ KeySpec: 'Aliyun_AES_256' });
    const destination = await createKey({ KeySpec: 'Aliyun_SM4' });
    const aliasName = uniqueAlias('reencrypt');
    await call('CreateAlias', { AliasName: aliasName, KeyId: destination.KeyId });
    const dataKey = await call('GenerateDataKey', { KeyId: source.KeyId });
    const moved = await call('ReEncrypt', { CiphertextBlob: dataKey.CiphertextBlob, DestinationKeyId: aliasName });
    assert.equal(moved.KeyId, destination.KeyId);
    const decrypted = await call('Decrypt', { CiphertextBlob: moved.CiphertextBlob });
    assert.equal(decrypted.Plaintext, dataKey.Plaintext);
    assert.equal(decrypted.KeyId, destination.KeyId);
    assert.equal(decrypted.KeyVersionId, destination.PrimaryKeyVersion);
  });
});

describe('ListKeys', () => {
  it('pages through every key with PageNumber, PageSize and TotalCount', async () => {
    const before = await call('ListKeys', {});
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) mine.push((await createKey()).KeyId);
    const total = before.TotalCount + 5;

    const first = await call('ListKeys', {});
    assertRequestId(first);
    assert.deepEqual(Object.keys(first).sort(), ['Keys', 'PageNumber', 'PageSize', 'RequestId', 'TotalCount']);
    assert.equal(first.PageNumber, 1);
    assert.equal(first.PageSize, 10);
    assert.equal(first.TotalCount, total);
    assert.ok(Array.isArray(first.Keys.Key));
    for (const entry of first.Keys.Key) {
      assert.deepEqual(Object.keys(entry).sort(), ['KeyArn', 'KeyId']);
      assert.equal(entry.KeyArn, keyArnOf(entry.KeyId));
    }

    const seen: string[] = [];
    const pages = Math.ceil(total / 2);
    for (let page = 1; page <= pages; page++) {
      const body = await call('ListKeys', { PageNumber: page, PageSize: 2 });
      assert.equal(body.PageNumber, page);
      assert.equal(body.PageSize, 2);
      assert.equal(body.TotalCount, total);
      assert.equal(body.Keys.Key.length, page < pages ? 2 : total - 2 * (pages - 1));
      seen.push(...body.Keys.Key.map((key: any) => key.KeyId));
    }
    assert.equal(new Set(seen).size, total, 'no key appears twice across pages');
    for (const keyId of mine) assert.ok(seen.includes(keyId), `${keyId} is listed`);

    const beyond = await call('ListKeys', { PageNumber: pages + 1, PageSize: 2 });
    assert.deepEqual(beyond.Keys, { Key: [] });
    assert.equal(beyond.TotalCount, total);
  });

  it('filters by KeyState and KeySpec: OR within Values, AND across filters', async () => {
    const enabledAes = (await createKey()).KeyId;
    const disabledAes = (await createKey()).KeyId;
    const enabledSm4 = (await createKey({ KeySpec: 'Aliyun_SM4' })).KeyId;
    const disabledSm4 = (await createKey({ KeySpec: 'Aliyun_SM4' })).KeyId;
    assertOnlyRequestId(await call('DisableKey', { KeyId: disabledAes }));
    await call('DisableKey', { KeyId: disabledSm4 });

    const disabled = await allKeyIds([{ Key: 'KeyState', Values: ['Disabled'] }]);
    assert.ok(disabled.includes(disabledAes) && disabled.includes(disabledSm4));
    assert.ok(!disabled.includes(enabledAes) && !disabled.includes(enabledSm4));

    const sm4 = await allKeyIds([{ Key: 'KeySpec', Values: ['Aliyun_SM4'] }]);
    assert.ok(sm4.includes(enabledSm4) && sm4.includes(disabledSm4));
    assert.ok(!sm4.includes(enabledAes) && !sm4.includes(disabledAes));

    const disabledSm4Only = await allKeyIds([
      { Key: 'KeyState', Values: ['Disabled'] },
      { Key: 'KeySpec', Values: ['Aliyun_SM4'] },
    ]);
    assert.ok(disabledSm4Only.includes(disabledSm4));
    assert.ok(![enabledAes, disabledAes, enabledSm4].some((id) => disabledSm4Only.includes(id)));

    const either = await allKeyIds([{ Key: 'KeyState', Values: ['Enabled', 'Disabled'] }]);
    for (const keyId of [enabledAes, disabledAes, enabledSm4, disabledSm4]) assert.ok(either.includes(keyId));

    const counted = await call('ListKeys', { Filters: [{ Key: 'KeySpec', Values: ['Aliyun_SM4'] }], PageSize: 1 });
    assert.equal(counted.TotalCount, sm4.length, 'TotalCount counts the filtered keys');
    assert.equal(counted.Keys.Key.length, 1);

    await call('ScheduleKeyDeletion', { KeyId: enabledSm4, PendingWindowInDays: 7 });
    const pending = await allKeyIds([{ Key: 'KeyState', Values: ['PendingDeletion'] }]);
    assert.ok(pending.includes(enabledSm4));
    assert.ok(![enabledAes, disabledAes, disabledSm4].some((id) => pending.includes(id)));
    const software = await allKeyIds([{ Key: 'ProtectionLevel', Values: ['SOFTWARE'] }]);
    for (const keyId of [enabledAes, disabledAes, enabledSm4, disabledSm4]) assert.ok(software.includes(keyId));
  });

  it('matches no key when two filters on the same field have no value in common (AND across filters)', async () => {
    const enabled = (await createKey()).KeyId;
    const disabled = (await createKey()).KeyId;
    await call('DisableKey', { KeyId: disabled });
    const body = await call('ListKeys', {
      Filters: [
        { Key: 'KeyState', Values: ['Enabled'] },
        { Key: 'KeyState', Values: ['Disabled'] },
      ],
    });
    assert.equal(body.TotalCount, 0, `no key is both Enabled and Disabled, got ${body.TotalCount} keys`);
    assert.deepEqual(body.Keys, { Key: [] });
    const overlap = await allKeyIds([
      { Key: 'KeyState', Values: ['Enabled', 'Disabled'] },
      { Key: 'KeyState', Values: ['Disabled', 'PendingDeletion'] },
    ]);
    assert.ok(overlap.includes(disabled) && !overlap.includes(enabled));
  });

  it('treats every key as a user key: CreatorType User matches all keys, CreatorType Service none', async () => {
    const keyId = (await createKey()).KeyId;
    const user = await allKeyIds([{ Key: 'CreatorType', Values: ['User'] }]);
    assert.ok(user.includes(keyId));
    assert.equal(user.length, (await call('ListKeys', {})).TotalCount);
    const service = await call('ListKeys', { Filters: [{ Key: 'CreatorType', Values: ['Service'] }] });
    assert.equal(service.TotalCount, 0, `no key is a service key, got ${service.TotalCount} keys`);
    assert.deepEqual(service.Keys, { Key: [] });
    const serviceAndEnabled = await call('ListKeys', {
      Filters: [
        { Key: 'KeyState', Values: ['Enabled'] },
        { Key: 'CreatorType', Values: ['Service'] },
      ],
    });
    assert.equal(serviceAndEnabled.TotalCount, 0);
  });
});

describe('EnableKey and DisableKey', () => {
  it('disables and re-enables a key, which DescribeKey reports and Encrypt obeys', async () => {
    const key = await createKey();
    assertOnlyRequestId(await call('DisableKey', { KeyId: key.KeyId }));
    assert.equal((await describeKey(key.KeyId)).KeyState, 'Disabled');
    await expectV3Error(call('Encrypt', { KeyId: key.KeyId, Plaintext: 'x' }), { code: 'Rejected.Disabled', statusCode: 409 });
    assertOnlyRequestId(await call('EnableKey', { KeyId: key.KeyId }));
    assert.equal((await describeKey(key.KeyId)).KeyState, 'Enabled');
    const encrypted = await call('Encrypt', { KeyId: key.KeyId, Plaintext: 'back' });
    assert.equal((await call('Decrypt', { CiphertextBlob: encrypted.CiphertextBlob })).Plaintext, 'back');
  });
});

describe('Aliases', () => {
  it('creates, lists, repoints and deletes an alias', async () => {
    const first = await createKey();
    const second = await createKey({ KeySpec: 'Aliyun_SM4' });
    const aliasName = uniqueAlias('lifecycle');

    assertOnlyRequestId(await call('CreateAlias', { AliasName: aliasName, KeyId: first.KeyId }));
    const byKey = await call('ListAliasesByKeyId', { KeyId: first.KeyId });
    assertRequestId(byKey);
    assert.deepEqual(Object.keys(byKey).sort(), ['Aliases', 'PageNumber', 'PageSize', 'RequestId', 'TotalCount']);
    assert.deepEqual(byKey.Aliases, { Alias: [{ AliasArn: aliasArnOf(aliasName), AliasName: aliasName, KeyId: first.KeyId }] });
    assert.equal(byKey.TotalCount, 1);
    assert.equal(byKey.PageNumber, 1);
    assert.equal(byKey.PageSize, 10);

    assertOnlyRequestId(await call('UpdateAlias', { AliasName: aliasName, KeyId: second.KeyId }));
    assert.equal((await describeKey(aliasName)).KeyId, second.KeyId);
    assert.equal((await call('Encrypt', { KeyId: aliasName, Plaintext: 'p' })).KeyId, second.KeyId);
    assert.deepEqual((await call('ListAliasesByKeyId', { KeyId: first.KeyId })).Aliases, { Alias: [] });
    assert.deepEqual((await call('ListAliasesByKeyId', { KeyId: second.KeyId })).Aliases.Alias, [
      { AliasArn: aliasArnOf(aliasName), AliasName: aliasName, KeyId: second.KeyId },
    ]);

    assertOnlyRequestId(await call('DeleteAlias', { AliasName: aliasName }));
    await expectV3Error(call('DescribeKey', { KeyId: aliasName }), { code: 'Forbidden.AliasNotFound', statusCode: 404 });
    assert.equal((await describeKey(second.KeyId)).KeyState, 'Enabled', 'deleting an alias leaves its key');
  });

  it('lists aliases by key id, alias or Arn, with several aliases per key, paged', async () => {
    const key = await createKey();
    const names = [uniqueAlias('many'), uniqueAlias('many'), uniqueAlias('many')];
    for (const aliasName of names) await call('CreateAlias', { AliasName: aliasName, KeyId: key.KeyId });
    for (const reference of [key.KeyId, names[0], key.Arn]) {
      const body = await call('ListAliasesByKeyId', { KeyId: reference });
      assert.equal(body.TotalCount, 3);
      assert.deepEqual(body.Aliases.Alias.map((alias: any) => alias.AliasName).sort(), [...names].sort());
      for (const alias of body.Aliases.Alias) assert.equal(alias.KeyId, key.KeyId);
    }
    const paged = await call('ListAliasesByKeyId', { KeyId: key.KeyId, PageNumber: 2, PageSize: 2 });
    assert.equal(paged.TotalCount, 3);
    assert.equal(paged.PageNumber, 2);
    assert.equal(paged.PageSize, 2);
    assert.equal(paged.Aliases.Alias.length, 1);
  });

  it('lists every alias with ListAliases, paged, with Arns and targets', async () => {
    const key = await createKey();
    const names = [uniqueAlias('all'), uniqueAlias('all')];
    for (const aliasName of names) await call('CreateAlias', { AliasName: aliasName, KeyId: key.KeyId });
    const first = await call('ListAliases', {});
    assertRequestId(first);
    assert.deepEqual(Object.keys(first).sort(), ['Aliases', 'PageNumber', 'PageSize', 'RequestId', 'TotalCount']);
    assert.equal(first.PageNumber, 1);
    assert.equal(first.PageSize, 10);
    const total = first.TotalCount;
    const all: any[] = [];
    for (let page = 1; page <= Math.ceil(total / 3); page++) {
      const body = await call('ListAliases', { PageNumber: page, PageSize: 3 });
      assert.equal(body.TotalCount, total);
      assert.ok(body.Aliases.Alias.length <= 3);
      all.push(...body.Aliases.Alias);
    }
    assert.equal(all.length, total);
    for (const aliasName of names) {
      assert.deepEqual(
        all.find((alias) => alias.AliasName === aliasName),
        { AliasArn: aliasArnOf(aliasName), AliasName: aliasName, KeyId: key.KeyId },
      );
    }
  });

  it('accepts an alias name of 255 characters in all', async () => {
    const key = await createKey();
    const prefix = `alias/sdk-v3-long-${process.pid}-`;
    const aliasName = prefix + 'a'.repeat(255 - prefix.length);
    assert.equal(aliasName.length, 255);
    await call('CreateAlias', { AliasName: aliasName, KeyId: key.KeyId });
    assert.equal((await describeKey(aliasName)).KeyId, key.KeyId);
  });
});

describe('Tags', () => {
  it('tags, re-tags, lists and untags a key', async () => {
    const key = await createKey();
    assertOnlyRequestId(
      await call('TagResource', {
        KeyId: key.KeyId,
        Tags: [
          { TagKey: 'env', TagValue: 'dev' },
          { TagKey: 'owner', TagValue: 'alice' },
        ],
      }),
    );
    const listed = await call('ListResourceTags', { KeyId: key.KeyId });
    assertRequestId(listed);
    assert.deepEqual(Object.keys(listed).sort(), ['RequestId', 'Tags']);
    const sorted = (tags: any[]) => [...tags].sort((a, b) => a.TagKey.localeCompare(b.TagKey));
    assert.deepEqual(sorted(listed.Tags.Tag), [
      { KeyId: key.KeyId, TagKey: 'env', TagValue: 'dev' },
      { KeyId: key.KeyId, TagKey: 'owner', TagValue: 'alice' },
    ]);

    await call('TagResource', { KeyId: key.KeyId, Tags: [{ TagKey: 'env', TagValue: 'prod' }] });
    assert.deepEqual(sorted((await call('ListResourceTags', { KeyId: key.KeyId })).Tags.Tag), [
      { KeyId: key.KeyId, TagKey: 'env', TagValue: 'prod' },
      { KeyId: key.KeyId, TagKey: 'owner', TagValue: 'alice' },
    ]);

    assertOnlyRequestId(await call('UntagResource', { KeyId: key.KeyId, TagKeys: ['owner'] }));
    assert.deepEqual((await call('ListResourceTags', { KeyId: key.KeyId })).Tags.Tag, [
      { KeyId: key.KeyId, TagKey: 'env', TagValue: 'prod' },
    ]);
    await call('UntagResource', { KeyId: key.KeyId, TagKeys: ['env'] });
    assert.deepEqual((await call('ListResourceTags', { KeyId: key.KeyId })).Tags, { Tag: [] });
  });

  it('tags a key addressed by alias and lists the tags by Arn', async () => {
    const key = await createKey();
    const aliasName = uniqueAlias('tags');
    await call('CreateAlias', { AliasName: aliasName, KeyId: key.KeyId });
    await call('TagResource', { KeyId: aliasName, Tags: [{ TagKey: 'via', TagValue: 'alias' }] });
    assert.deepEqual((await call('ListResourceTags', { KeyId: key.Arn })).Tags.Tag, [
      { KeyId: key.KeyId, TagKey: 'via', TagValue: 'alias' },
    ]);
  });
});

describe('Key deletion and its protection', () => {
  it('schedules deletion (PendingDeletion with a DeleteDate) and cancels it (Enabled, no DeleteDate)', async () => {
    const key = await createKey();
    const before = Date.now();
    assertOnlyRequestId(await call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 7 }));
    const after = Date.now();
    const pending = await describeKey(key.KeyId);
    assert.equal(pending.KeyState, 'PendingDeletion');
    const deleteAt = wireDateMs(pending.DeleteDate, 'DeleteDate');
    assert.ok(deleteAt >= Math.floor(before / 1000) * 1000 + 7 * DAY_MS, 'DeleteDate is 7 days on');
    assert.ok(deleteAt <= after + 7 * DAY_MS, 'DeleteDate is 7 days on');
    await expectV3Error(call('Encrypt', { KeyId: key.KeyId, Plaintext: 'x' }), { code: 'Rejected.PendingDeletion', statusCode: 409 });

    assertOnlyRequestId(await call('CancelKeyDeletion', { KeyId: key.KeyId }));
    const restored = await describeKey(key.KeyId);
    assert.equal(restored.KeyState, 'Enabled');
    assert.equal(restored.DeleteDate, '');
    assert.ok((await call('Encrypt', { KeyId: key.KeyId, Plaintext: 'x' })).CiphertextBlob);
  });

  it('schedules deletion of a Disabled key, and CancelKeyDeletion returns it to Enabled', async () => {
    const key = await createKey();
    await call('DisableKey', { KeyId: key.KeyId });
    await call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 8 });
    assert.equal((await describeKey(key.KeyId)).KeyState, 'PendingDeletion');
    await call('CancelKeyDeletion', { KeyId: key.KeyId });
    const restored = await describeKey(key.KeyId);
    assert.equal(restored.KeyState, 'Enabled');
    assert.equal(restored.DeleteDate, '');
  });

  it('accepts the widest pending window, 366 days', async () => {
    const key = await createKey({ KeySpec: 'Aliyun_SM4' });
    await call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: '366' });
    const pending = await describeKey(key.KeyId);
    const days = (wireDateMs(pending.DeleteDate) - Date.now()) / DAY_MS;
    assert.ok(days > 365.9 && days <= 366, `about 366 days, got ${days}`);
    await call('CancelKeyDeletion', { KeyId: key.KeyId });
  });

  it('blocks ScheduleKeyDeletion while deletion protection is on, and allows it once protection is off', async () => {
    const key = await createKey();
    assertOnlyRequestId(
      await call('SetDeletionProtection', {
        KeyId: key.KeyId,
        EnableDeletionProtection: true,
        DeletionProtectionDescription: 'holds the billing archive',
      }),
    );
    const protectedKey = await describeKey(key.KeyId);
    assert.equal(protectedKey.DeletionProtection, 'Enabled');
    assert.equal(protectedKey.DeletionProtectionDescription, 'holds the billing archive');

    await expectV3Error(call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 7 }), {
      code: 'Rejected.StateModifiedFailed',
      statusCode: 409,
    });
    const still = await describeKey(key.KeyId);
    assert.equal(still.KeyState, 'Enabled');
    assert.equal(still.DeleteDate, '');

    // The older form names the key by ProtectedResourceArn.
    assertOnlyRequestId(await call('SetDeletionProtection', { ProtectedResourceArn: key.Arn, EnableDeletionProtection: 'false' }));
    const unprotected = await describeKey(key.KeyId);
    assert.equal(unprotected.DeletionProtection, 'Disabled');
    assert.equal(unprotected.DeletionProtectionDescription, '');
    await call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 30 });
    assert.equal((await describeKey(key.KeyId)).KeyState, 'PendingDeletion');
  });
});

describe('UpdateKeyDescription', () => {
  it('replaces the description, including with unicode text', async () => {
    const key = await createKey({ Description: 'before' });
    assertOnlyRequestId(await call('UpdateKeyDescription', { KeyId: key.KeyId, Description: 'after: 账本 ✓' }));
    assert.equal((await describeKey(key.KeyId)).Description, 'after: 账本 ✓');
    const aliasName = uniqueAlias('description');
    await call('CreateAlias', { AliasName: aliasName, KeyId: key.KeyId });
    await call('UpdateKeyDescription', { KeyId: aliasName, Description: 'via alias' });
    assert.equal((await describeKey(key.KeyId)).Description, 'via alias');
  });
});

describe('Account and service actions', () => {
  it('DescribeRegions lists the server region as Regions.Region[].RegionId', async () => {
    const body = await call('DescribeRegions', {});
    assertRequestId(body);
    assert.deepEqual(Object.keys(body).sort(), ['Regions', 'RequestId']);
    assert.deepEqual(body.Regions, { Region: [{ RegionId: TEST_REGION }] });
  });

  it('DescribeAccountKmsStatus reports AccountStatus Enabled', async () => {
    const body = await call('DescribeAccountKmsStatus', {});
    assertRequestId(body);
    assert.deepEqual(Object.keys(body).sort(), ['AccountStatus', 'RequestId']);
    assert.equal(body.AccountStatus, 'Enabled');
  });

  it('DescribeService lists protection levels and the symmetric key specs in their wrapper shapes', async () => {
    const body = await call('DescribeService', {});
    assertRequestId(body);
    assert.deepEqual(Object.keys(body).sort(), ['KeySpecs', 'ProtectionLevels', 'RequestId']);
    assert.ok(Array.isArray(body.ProtectionLevels.ProtectionLevel));
    assert.ok(body.ProtectionLevels.ProtectionLevel.some((level: any) => level.Type === 'SOFTWARE'));
    for (const level of body.ProtectionLevels.ProtectionLevel) assert.deepEqual(Object.keys(level), ['Type']);
    assert.ok(Array.isArray(body.KeySpecs.KeySpec));
    const names = body.KeySpecs.KeySpec.map((spec: any) => spec.Name);
    assert.ok(names.includes('Aliyun_AES_256') && names.includes('Aliyun_SM4'), names.join());
    for (const spec of body.KeySpecs.KeySpec) {
      assert.ok(Array.isArray(spec.SupportedProtectionLevels.SupportedProtectionLevel));
      assert.ok(spec.SupportedProtectionLevels.SupportedProtectionLevel.includes('SOFTWARE'));
      assert.ok(Array.isArray(spec.Usages.Usage));
      assert.ok(spec.Usages.Usage.includes('ENCRYPT/DECRYPT'));
    }
  });
});

describe('GetRandomPassword', () => {
  const LOWER = /[a-z]/;
  const UPPER = /[A-Z]/;
  const DIGIT = /[0-9]/;
  const PUNCT = /[^A-Za-z0-9]/;

  it('returns 32 printable characters by default', async () => {
    const body = await call('GetRandomPassword', {});
    assertRequestId(body);
    assert.deepEqual(Object.keys(body).sort(), ['RandomPassword', 'RequestId']);
    assert.equal(body.RandomPassword.length, 32);
    assert.match(body.RandomPassword, /^[\x21-\x7e]+$/);
  });

  it('honours PasswordLength from 8 to 128', async () => {
    for (const length of ['8', '20', '128']) {
      const body = await call('GetRandomPassword', { PasswordLength: length });
      assert.equal(body.RandomPassword.length, Number(length));
    }
  });

  it('leaves out excluded characters and excluded classes', async () => {
    for (let i = 0; i < 5; i++) {
      const onlyDigits = await call('GetRandomPassword', {
        PasswordLength: '64',
        ExcludeLowercase: 'true',
        ExcludeUppercase: 'true',
        ExcludePunctuation: 'true',
      });
      assert.match(onlyDigits.RandomPassword, /^[0-9]{64}$/);

      const noDigitsNoPunct = await call('GetRandomPassword', { PasswordLength: '64', ExcludeNumbers: 'true', ExcludePunctuation: 'true' });
      assert.match(noDigitsNoPunct.RandomPassword, /^[A-Za-z]{64}$/);

      const withoutSome = await call('GetRandomPassword', {
        PasswordLength: '128',
        ExcludeCharacters: 'abcdefghijklmABCDEFGHIJKLM0123456789!@#$%',
      });
      assert.doesNotMatch(withoutSome.RandomPassword, /[a-mA-M0-9!@#$%]/);
      assert.equal(withoutSome.RandomPassword.length, 128);
    }
  });

  it('includes every included type when RequireEachIncludedType is true', async () => {
    for (let i = 0; i < 20; i++) {
      const all = (await call('GetRandomPassword', { PasswordLength: '8', RequireEachIncludedType: 'true' })).RandomPassword;
      assert.equal(all.length, 8);
      for (const klass of [LOWER, UPPER, DIGIT, PUNCT]) assert.match(all, klass, all);

      const three = (await call('GetRandomPassword', { PasswordLength: '8', RequireEachIncludedType: 'true', ExcludePunctuation: 'true' }))
        .RandomPassword;
      for (const klass of [LOWER, UPPER, DIGIT]) assert.match(three, klass, three);
      assert.doesNotMatch(three, PUNCT, three);
    }
  });
});

describe('Key versions and rotation', () => {
  // The full conformance of these four actions is in sdk-v3-key-versions.test.ts; here each one
  // answers once, in its documented shape, so the coverage check below sees it.
  it('CreateKeyVersion, DescribeKeyVersion, ListKeyVersions and UpdateRotationPolicy answer in their §6.4 shapes', async () => {
    const key = await createKey();
    const created = await call('CreateKeyVersion', { KeyId: key.KeyId });
    assertRequestId(created);
    assert.deepEqual(Object.keys(created).sort(), ['KeyVersion', 'RequestId']);
    assert.deepEqual(Object.keys(created.KeyVersion).sort(), ['CreationDate', 'KeyId', 'KeyVersionId']);
    assert.equal(created.KeyVersion.KeyId, key.KeyId);
    assert.match(created.KeyVersion.KeyVersionId, LOWER_UUID);
    wireDateMs(created.KeyVersion.CreationDate, 'CreationDate');
    assert.equal((await describeKey(key.KeyId)).PrimaryKeyVersion, created.KeyVersion.KeyVersionId);

    const described = await call('DescribeKeyVersion', { KeyId: key.KeyId, KeyVersionId: created.KeyVersion.KeyVersionId });
    assertRequestId(described);
    assert.deepEqual(Object.keys(described).sort(), ['KeyVersion', 'RequestId']);
    assert.deepEqual(described.KeyVersion, created.KeyVersion);

    const listed = await call('ListKeyVersions', { KeyId: key.KeyId });
    assertRequestId(listed);
    assert.deepEqual(Object.keys(listed).sort(), ['KeyVersions', 'PageNumber', 'PageSize', 'RequestId', 'TotalCount']);
    assert.equal(listed.TotalCount, 2);
    assert.equal(listed.PageNumber, 1);
    assert.equal(listed.PageSize, 10);
    assert.deepEqual(
      listed.KeyVersions.KeyVersion.map((version: any) => version.KeyVersionId),
      [key.PrimaryKeyVersion, created.KeyVersion.KeyVersionId],
    );

    assertOnlyRequestId(await call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: true, RotationInterval: '7d' }));
    const rotating = await describeKey(key.KeyId);
    assert.equal(rotating.AutomaticRotation, 'Enabled');
    assert.equal(rotating.RotationInterval, '604800s');
    assert.equal(wireDateMs(rotating.NextRotationDate) - wireDateMs(rotating.LastRotationDate), 7 * DAY_MS);
  });
});

describe('Bring your own key and export', () => {
  // The full conformance is in byok.test.ts; here each action answers once, in its §4 / §6.3 shape.
  it('GetParametersForImport, ImportKeyMaterial, DeleteKeyMaterial, ExportDataKey and GenerateAndExportDataKey answer in their shapes', async () => {
    const key = await createKey({ Origin: 'EXTERNAL' });
    assert.equal(key.KeyState, 'PendingImport');
    assert.equal(key.Origin, 'EXTERNAL');
    const params = await call('GetParametersForImport', {
      KeyId: key.KeyId,
      WrappingKeySpec: 'RSA_2048',
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
    });
    assertRequestId(params);
    assert.deepEqual(Object.keys(params).sort(), ['ImportToken', 'KeyId', 'PublicKey', 'RequestId', 'TokenExpireTime']);
    assert.equal(params.KeyId, key.KeyId);
    base64Bytes(params.ImportToken);
    const expiresIn = wireDateMs(params.TokenExpireTime, 'TokenExpireTime') - Date.now();
    assert.ok(expiresIn > DAY_MS - 60_000 && expiresIn <= DAY_MS, `TokenExpireTime 24 h ahead (${expiresIn} ms)`);
    const publicKey = createPublicKey({ key: base64Bytes(params.PublicKey), format: 'der', type: 'spki' });
    const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, randomBytes(32));
    const expireUnix = Math.floor(Date.now() / 1000) + 3600;
    assertOnlyRequestId(
      await call('ImportKeyMaterial', {
        KeyId: key.KeyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrapped.toString('base64'),
        KeyMaterialExpireUnix: expireUnix,
      }),
    );
    const imported = await describeKey(key.KeyId);
    assert.equal(imported.KeyState, 'Enabled');
    assert.equal(wireDateMs(imported.MaterialExpireTime, 'MaterialExpireTime'), expireUnix * 1000);

    const recipient = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const target = {
      PublicKeyBlob: recipient.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      WrappingKeySpec: 'RSA_2048',
      WrappingAlgorithm: 'RSAES_OAEP_SHA_1',
    };
    const generated = await call('GenerateAndExportDataKey', { KeyId: key.KeyId, ...target });
    assert.deepEqual(Object.keys(generated).sort(), ['CiphertextBlob', 'ExportedDataKey', 'KeyId', 'KeyVersionId', 'RequestId']);
    assert.equal(generated.KeyId, key.KeyId);
    assert.equal(generated.KeyVersionId, key.PrimaryKeyVersion);
    const exported = await call('ExportDataKey', { CiphertextBlob: generated.CiphertextBlob, ...target });
    assert.deepEqual(Object.keys(exported).sort(), ['ExportedDataKey', 'KeyId', 'KeyVersionId', 'RequestId']);
    const open = (blob: string): Buffer =>
      privateDecrypt({ key: recipient.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, base64Bytes(blob));
    assert.equal(open(exported.ExportedDataKey).length, 32);
    assert.deepEqual(open(exported.ExportedDataKey), open(generated.ExportedDataKey));

    assertOnlyRequestId(await call('DeleteKeyMaterial', { KeyId: key.KeyId }));
    const deleted = await describeKey(key.KeyId);
    assert.equal(deleted.KeyState, 'PendingImport');
    assert.equal(deleted.MaterialExpireTime, '');
  });
});

describe('Key policies', () => {
  it("SetKeyPolicy answers {RequestId}; GetKeyPolicy answers {Policy, RequestId}, Alibaba's default key policy first", async () => {
    const key = await createKey();
    const initial = await call('GetKeyPolicy', { KeyId: key.KeyId, PolicyName: 'default' });
    assertRequestId(initial);
    assert.deepEqual(Object.keys(initial).sort(), ['Policy', 'RequestId']);
    assert.deepEqual(JSON.parse(initial.Policy), {
      Statement: [
        {
          Action: ['kms:*'],
          Effect: 'Allow',
          Principal: { RAM: [`acs:ram::${TEST_ACCOUNT_ID}:*`] },
          Resource: ['*'],
          Sid: 'kms default key policy',
        },
      ],
      Version: '1',
    });
    const policy = JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Allow', Principal: { RAM: [`acs:ram::${TEST_ACCOUNT_ID}:user/app`] }, Action: 'kms:Encrypt', Resource: '*' }],
    });
    assertOnlyRequestId(await call('SetKeyPolicy', { KeyId: key.KeyId, PolicyName: 'default', Policy: policy }));
    assert.equal((await call('GetKeyPolicy', { KeyId: key.KeyId })).Policy, policy);
  });
});

describe('The audit trail', () => {
  // Arca's own action (ADR 28), called through the SDK's generic callApi like the others.
  it('ListAuditEvents answers a page of the trail: the calls of this file, oldest first, with NextToken', async () => {
    const page = await call('ListAuditEvents', { EventName: 'CreateKey', MaxResults: 2 });
    assertRequestId(page);
    assert.deepEqual(Object.keys(page).sort(), ['Events', 'NextToken', 'RequestId']);
    assert.equal(page.Events.length, 2);
    for (const event of page.Events) {
      assert.equal(event.eventName, 'CreateKey');
      assert.equal(event.eventRW, 'Write');
      assert.equal(event.userIdentity.type, 'access-key');
    }
    const next = await call('ListAuditEvents', { EventName: 'CreateKey', MaxResults: 2, NextToken: page.NextToken });
    assert.ok(Date.parse(next.Events[0].eventTime) >= Date.parse(page.Events[1].eventTime));
    assert.notEqual(next.Events[0].eventId, page.Events[1].eventId);
  });
});

describe('coverage', () => {
  it('called every action of the action table successfully at least once', () => {
    const missingActions = [...ACTION_TABLE.keys()].filter((action) => !succeeded.has(action));
    assert.deepEqual(missingActions, []);
    assert.equal(ACTION_TABLE.size, 38);
  });
});
