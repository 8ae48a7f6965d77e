// ListKeys through inject(): §6.1 — PageNumber, PageSize (1–100, default 10), Filters; Keys.Key[] {KeyId, KeyArn}.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiForFile, createKey, fieldsOf, invalid, keyArnOf, moveTo, ok, refused } from './helpers.js';

/** This file's keys, in creation order: 3 AES Enabled, 1 AES Disabled, 2 SM4 Enabled, 1 SM4 PendingDeletion. */
const keys: { aesEnabled: string[]; aesDisabled: string; sm4Enabled: string[]; sm4Pending: string } = {
  aesEnabled: [],
  aesDisabled: '',
  sm4Enabled: [],
  sm4Pending: '',
};

// A second apart, so that creation order is the listing order (oldest first).
const api = apiForFile(async (api) => {
  const newKey = async (params: Record<string, string> = {}): Promise<string> => {
    api.clock.advance(1000);
    return (await createKey(api, params)).KeyId;
  };
  for (let i = 0; i < 3; i++) keys.aesEnabled.push(await newKey());
  keys.aesDisabled = await newKey();
  await moveTo(api, keys.aesDisabled, 'Disabled');
  for (let i = 0; i < 2; i++) keys.sm4Enabled.push(await newKey({ KeySpec: 'Aliyun_SM4' }));
  keys.sm4Pending = await newKey({ KeySpec: 'Aliyun_SM4' });
  await moveTo(api, keys.sm4Pending, 'PendingDeletion');
});

const allKeyIds = (): string[] => [...keys.aesEnabled, keys.aesDisabled, ...keys.sm4Enabled, keys.sm4Pending];
const idsOf = (body: any): string[] => body.Keys.Key.map((key: any) => key.KeyId);

describe('ListKeys', () => {
  it('answers {Keys: {Key: [{KeyArn, KeyId}]}, PageNumber 1, PageSize 10, TotalCount, RequestId} by default, oldest key first', async () => {
    const body = ok(await api().call('ListKeys'));
    assert.deepEqual(fieldsOf(body), ['Keys', 'PageNumber', 'PageSize', 'RequestId', 'TotalCount']);
    assert.equal(body.PageNumber, 1);
    assert.equal(body.PageSize, 10);
    assert.equal(body.TotalCount, 7);
    assert.deepEqual(
      body.Keys.Key,
      allKeyIds().map((keyId) => ({ KeyId: keyId, KeyArn: keyArnOf(api(), keyId) })),
    );
  });

  it('pages with PageNumber and PageSize, every key once, and an empty Key list past the end', async () => {
    const seen: string[] = [];
    for (const page of [1, 2, 3]) {
      const body = ok(await api().call('ListKeys', { PageNumber: page, PageSize: 3 }));
      assert.equal(body.PageNumber, page);
      assert.equal(body.PageSize, 3);
      assert.equal(body.TotalCount, 7);
      assert.equal(body.Keys.Key.length, page < 3 ? 3 : 1);
      seen.push(...idsOf(body));
    }
    assert.deepEqual(seen, allKeyIds());
    const beyond = ok(await api().call('ListKeys', { PageNumber: 4, PageSize: 3 }));
    assert.deepEqual(beyond.Keys, { Key: [] });
    assert.equal(beyond.TotalCount, 7);
  });

  it('filters with OR within Values and AND across filters; TotalCount counts the matches', async () => {
    const disabledOrPending = ok(await api().call('ListKeys', { Filters: [{ Key: 'KeyState', Values: ['Disabled', 'PendingDeletion'] }] }));
    assert.deepEqual(idsOf(disabledOrPending), [keys.aesDisabled, keys.sm4Pending]);
    assert.equal(disabledOrPending.TotalCount, 2);
    const enabledSm4 = ok(
      await api().call('ListKeys', {
        Filters: [
          { Key: 'KeySpec', Values: ['Aliyun_SM4'] },
          { Key: 'KeyState', Values: ['Enabled'] },
        ],
      }),
    );
    assert.deepEqual(idsOf(enabledSm4), keys.sm4Enabled);
    const software = ok(await api().call('ListKeys', { Filters: [{ Key: 'ProtectionLevel', Values: ['SOFTWARE'] }], PageSize: 100 }));
    assert.equal(software.TotalCount, 7);
  });

  it('filters by TagKey and TagValue: a key with one tag of such a key, or of such a value', async () => {
    const [prod, test] = [keys.aesEnabled[0] ?? '', keys.sm4Enabled[0] ?? ''];
    ok(
      await api().call('TagResource', {
        KeyId: prod,
        Tags: [
          { TagKey: 'env', TagValue: 'prod' },
          { TagKey: 'team', TagValue: 'a b' },
        ],
      }),
    );
    ok(await api().call('TagResource', { KeyId: test, Tags: [{ TagKey: 'env', TagValue: 'test' }] }));
    const byKey = ok(await api().call('ListKeys', { Filters: [{ Key: 'TagKey', Values: ['env'] }] }));
    assert.deepEqual(idsOf(byKey), [prod, test]);
    assert.equal(byKey.TotalCount, 2);
    assert.deepEqual(idsOf(ok(await api().call('ListKeys', { Filters: [{ Key: 'TagValue', Values: ['a b', 'test'] }] }))), [prod, test]);
    const both = [
      { Key: 'TagKey', Values: ['env'] },
      { Key: 'TagValue', Values: ['prod'] },
    ];
    assert.deepEqual(idsOf(ok(await api().call('ListKeys', { Filters: both }))), [prod]);
    const sm4 = [
      { Key: 'TagKey', Values: ['env'] },
      { Key: 'KeySpec', Values: ['Aliyun_SM4'] },
    ];
    assert.deepEqual(idsOf(ok(await api().call('ListKeys', { Filters: sm4 }))), [test]);
    assert.equal(ok(await api().call('ListKeys', { Filters: [{ Key: 'TagKey', Values: ['nobody'] }] })).TotalCount, 0);
    assert.equal(ok(await api().call('ListKeys', { Filters: [{ Key: 'TagKey', Values: [] }] })).TotalCount, 0);
  });

  it('treats every key as a user key: CreatorType User matches all, Service none', async () => {
    assert.equal(ok(await api().call('ListKeys', { Filters: [{ Key: 'CreatorType', Values: ['User'] }] })).TotalCount, 7);
    const service = ok(await api().call('ListKeys', { Filters: [{ Key: 'CreatorType', Values: ['Service'] }] }));
    assert.equal(service.TotalCount, 0);
    assert.deepEqual(service.Keys, { Key: [] });
  });

  it('answers the same list when signed with HMAC-SHA1 over GET', async () => {
    const body = ok(await api().call('ListKeys', { PageSize: 100 }, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(idsOf(body), allKeyIds());
  });

  it('refuses a PageSize outside 1–100 and a PageNumber below 1 with InvalidParameter naming the parameter', async () => {
    for (const size of [0, 101, -1, 'ten']) refused(await api().call('ListKeys', { PageSize: size }), invalid('PageSize'));
    for (const page of [0, -3, '1.5']) refused(await api().call('ListKeys', { PageNumber: page }), invalid('PageNumber'));
  });

  it('refuses Filters that are not a JSON list of {Key, Values[]}, an unknown filter Key, and more than 10 filters with InvalidParameter Filters', async () => {
    const eleven = Array.from({ length: 11 }, () => ({ Key: 'KeyState', Values: ['Enabled'] }));
    for (const filters of [
      'KeyState=Enabled',
      { Key: 'KeyState', Values: ['Enabled'] },
      [{ Key: 'KeyState', Values: 'Enabled' }],
      [{ Key: 'Colour', Values: ['blue'] }],
      eleven,
    ]) {
      refused(await api().call('ListKeys', { Filters: filters }), invalid('Filters'));
    }
  });
});
