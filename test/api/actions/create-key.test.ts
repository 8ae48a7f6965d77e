// CreateKey through inject(): §6.1 — every parameter optional; the answer is KeyMetadata.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiForFile,
  createKey,
  DAY_MS,
  describeKey,
  fieldsOf,
  invalid,
  keyArnOf,
  LOWER_UUID,
  missing,
  ok,
  refused,
  UNSUPPORTED_ORIGIN,
  wireTime,
} from './helpers.js';

const api = apiForFile();

/** The KeyMetadata fields Arca answers for a key without automatic rotation. */
const METADATA_FIELDS = [
  'Arn',
  'AutomaticRotation',
  'CreationDate',
  'Creator',
  'DeleteDate',
  'DeletionProtection',
  'DeletionProtectionDescription',
  'Description',
  'KeyId',
  'KeySpec',
  'KeyState',
  'KeyUsage',
  'LastRotationDate',
  'MaterialExpireTime',
  'Origin',
  'PrimaryKeyVersion',
  'ProtectionLevel',
];

describe('CreateKey', () => {
  it('creates an Enabled Aliyun_AES_256 SOFTWARE key by default, with every KeyMetadata field in its wire form', async () => {
    const body = ok(await api().call('CreateKey'));
    assert.deepEqual(fieldsOf(body), ['KeyMetadata', 'RequestId']);
    const metadata = body.KeyMetadata;
    assert.deepEqual(fieldsOf(metadata), METADATA_FIELDS);
    assert.match(metadata.KeyId, LOWER_UUID);
    assert.match(metadata.PrimaryKeyVersion, LOWER_UUID);
    assert.notEqual(metadata.PrimaryKeyVersion, metadata.KeyId);
    const now = wireTime(api().clock.now());
    assert.deepEqual(
      { ...metadata, KeyId: '<id>', PrimaryKeyVersion: '<version>' },
      {
        Arn: keyArnOf(api(), metadata.KeyId),
        AutomaticRotation: 'Disabled',
        CreationDate: now,
        Creator: api().accountId,
        DeleteDate: '',
        DeletionProtection: 'Disabled',
        DeletionProtectionDescription: '',
        Description: '',
        KeyId: '<id>',
        KeySpec: 'Aliyun_AES_256',
        KeyState: 'Enabled',
        KeyUsage: 'ENCRYPT/DECRYPT',
        LastRotationDate: now,
        MaterialExpireTime: '',
        Origin: 'Aliyun_KMS',
        PrimaryKeyVersion: '<version>',
        ProtectionLevel: 'SOFTWARE',
      },
    );
  });

  it('returns the KeyMetadata that DescribeKey then reports for the new key', async () => {
    const created = await createKey(api(), { KeySpec: 'Aliyun_SM4', Description: 'ledger rows' });
    assert.deepEqual(await describeKey(api(), created.KeyId), created);
  });

  it('keeps KeySpec, Description and Tags as given', async () => {
    const tags = [
      { TagKey: 'env', TagValue: 'test' },
      { TagKey: 'team', TagValue: 'payments 账本' },
    ];
    const metadata = await createKey(api(), { KeySpec: 'Aliyun_SM4', Description: 'SM4 key: 账本 ✓', Tags: tags });
    assert.equal(metadata.KeySpec, 'Aliyun_SM4');
    assert.equal(metadata.Description, 'SM4 key: 账本 ✓');
    const listed = ok(await api().call('ListResourceTags', { KeyId: metadata.KeyId }));
    assert.deepEqual(
      listed.Tags.Tag,
      tags.map((tag) => ({ KeyId: metadata.KeyId, ...tag })),
    );
  });

  it('reports automatic rotation with RotationInterval in seconds and NextRotationDate one interval after LastRotationDate', async () => {
    const metadata = await createKey(api(), { EnableAutomaticRotation: true, RotationInterval: '30d' });
    assert.deepEqual(fieldsOf(metadata), [...METADATA_FIELDS, 'NextRotationDate', 'RotationInterval'].sort());
    assert.equal(metadata.AutomaticRotation, 'Enabled');
    assert.equal(metadata.RotationInterval, '2592000s');
    assert.equal(metadata.NextRotationDate, wireTime(api().clock.now() + 30 * DAY_MS));
  });

  it('creates an EXTERNAL key in PendingImport, with no material and no MaterialExpireTime', async () => {
    const metadata = await createKey(api(), { Origin: 'EXTERNAL' });
    assert.equal(metadata.Origin, 'EXTERNAL');
    assert.equal(metadata.KeyState, 'PendingImport');
    assert.equal(metadata.MaterialExpireTime, '');
  });

  it('answers the same KeyMetadata shape when signed with HMAC-SHA1 over GET', async () => {
    const body = ok(await api().call('CreateKey', { KeySpec: 'Aliyun_SM4' }, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(fieldsOf(body), ['KeyMetadata', 'RequestId']);
    assert.deepEqual(fieldsOf(body.KeyMetadata), METADATA_FIELDS);
    assert.equal(body.KeyMetadata.KeySpec, 'Aliyun_SM4');
  });

  it('refuses an unknown KeySpec or KeyUsage and a lower-case Origin or ProtectionLevel with InvalidParameter naming the parameter', async () => {
    refused(await api().call('CreateKey', { KeySpec: 'AES_256' }), invalid('KeySpec'));
    refused(await api().call('CreateKey', { Origin: 'external' }), invalid('Origin'));
    refused(await api().call('CreateKey', { KeyUsage: 'SIGN/VERIFY' }), invalid('KeyUsage'));
    refused(await api().call('CreateKey', { ProtectionLevel: 'software' }), invalid('ProtectionLevel'));
  });

  it('refuses ProtectionLevel HSM on a server without a token with 400 Unsupported.ProtectionLevel', async () => {
    refused(await api().call('CreateKey', { ProtectionLevel: 'HSM' }), { status: 400, code: 'Unsupported.ProtectionLevel' });
  });

  it('refuses automatic rotation without a RotationInterval with MissingParameter, and an interval out of 7–730 days with InvalidParameter', async () => {
    refused(await api().call('CreateKey', { EnableAutomaticRotation: true }), missing('RotationInterval'));
    for (const interval of ['6d', '731d', '30', 'thirty days']) {
      refused(await api().call('CreateKey', { EnableAutomaticRotation: true, RotationInterval: interval }), invalid('RotationInterval'));
    }
  });

  it('refuses EnableAutomaticRotation that is not a boolean with InvalidParameter naming it', async () => {
    refused(await api().call('CreateKey', { EnableAutomaticRotation: 'yes' }), invalid('EnableAutomaticRotation'));
  });

  it('refuses automatic rotation for an EXTERNAL key with 400 Unsupported.Origin', async () => {
    refused(
      await api().call('CreateKey', { Origin: 'EXTERNAL', EnableAutomaticRotation: true, RotationInterval: '30d' }),
      UNSUPPORTED_ORIGIN,
    );
  });

  it('accepts a Description of 8192 characters and refuses 8193 with InvalidParameter Description', async () => {
    assert.equal((await createKey(api(), { Description: 'd'.repeat(8192) })).Description.length, 8192);
    refused(await api().call('CreateKey', { Description: 'd'.repeat(8193) }), invalid('Description'));
  });

  it('refuses Tags that are not a JSON list of TagKey/TagValue strings, reserved keys, and more than 20 tags with InvalidParameter Tags', async () => {
    const tooMany = Array.from({ length: 21 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }));
    for (const tags of [
      'env=prod',
      '{"TagKey":"a","TagValue":"b"}',
      [{ TagKey: 'a', TagValue: 1 }],
      [{ TagKey: 'aliyun-owned', TagValue: 'x' }],
      [{ TagKey: 'acs:owner', TagValue: 'x' }],
      [{ TagKey: '', TagValue: 'x' }],
      tooMany,
    ]) {
      refused(await api().call('CreateKey', { Tags: tags }), invalid('Tags'));
    }
  });

  it('creates nothing when it refuses', async () => {
    const before = ok(await api().call('ListKeys')).TotalCount;
    refused(await api().call('CreateKey', { KeySpec: 'nope' }), invalid('KeySpec'));
    refused(await api().call('CreateKey', { Tags: 'nope' }), invalid('Tags'));
    assert.equal(ok(await api().call('ListKeys')).TotalCount, before);
  });
});
