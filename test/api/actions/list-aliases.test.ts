// ListAliases through inject(): §6.2 — PageNumber, PageSize (default 10);
// {Aliases: {Alias: [{AliasArn, AliasName, KeyId}]}, TotalCount, PageNumber, PageSize, RequestId}.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aliasArnOf, apiForFile, createKey, fieldsOf, invalid, must, ok, refused } from './helpers.js';

/** 12 aliases, created a second apart (oldest first): alias/a-1 … a-6 on the first key, b-1 … b-6 on the second. */
const created: Array<{ AliasName: string; KeyId: string }> = [];

const api = apiForFile(async (api) => {
  const first = (await createKey(api)).KeyId;
  const second = (await createKey(api, { KeySpec: 'Aliyun_SM4' })).KeyId;
  for (const [prefix, keyId] of [
    ['a', first],
    ['b', second],
  ] as const) {
    for (let i = 1; i <= 6; i++) {
      api.clock.advance(1000);
      const aliasName = `alias/${prefix}-${i}`;
      await must(api, 'CreateAlias', { AliasName: aliasName, KeyId: keyId });
      created.push({ AliasName: aliasName, KeyId: keyId });
    }
  }
});

const expectedEntry = ({ AliasName, KeyId }: { AliasName: string; KeyId: string }) => ({
  AliasArn: aliasArnOf(api(), AliasName),
  AliasName,
  KeyId,
});

describe('ListAliases', () => {
  it('answers the first 10 aliases, oldest first, with AliasArn, AliasName and KeyId, and TotalCount 12', async () => {
    const body = ok(await api().call('ListAliases'));
    assert.deepEqual(fieldsOf(body), ['Aliases', 'PageNumber', 'PageSize', 'RequestId', 'TotalCount']);
    assert.equal(body.PageNumber, 1);
    assert.equal(body.PageSize, 10);
    assert.equal(body.TotalCount, 12);
    assert.deepEqual(body.Aliases.Alias, created.slice(0, 10).map(expectedEntry));
  });

  it('pages with PageNumber and PageSize, and answers an empty Alias list past the end', async () => {
    const second = ok(await api().call('ListAliases', { PageNumber: 2, PageSize: 5 }));
    assert.equal(second.PageNumber, 2);
    assert.equal(second.PageSize, 5);
    assert.deepEqual(second.Aliases.Alias, created.slice(5, 10).map(expectedEntry));
    const last = ok(await api().call('ListAliases', { PageNumber: 3, PageSize: 5 }));
    assert.deepEqual(last.Aliases.Alias, created.slice(10).map(expectedEntry));
    const beyond = ok(await api().call('ListAliases', { PageNumber: 4, PageSize: 5 }));
    assert.deepEqual(beyond.Aliases, { Alias: [] });
    assert.equal(beyond.TotalCount, 12);
  });

  it('answers the same list when signed with HMAC-SHA1 over GET', async () => {
    const body = ok(await api().call('ListAliases', { PageSize: 100 }, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(body.Aliases.Alias, created.map(expectedEntry));
  });

  it('refuses a PageSize outside 1–100 and a PageNumber below 1 with InvalidParameter naming the parameter', async () => {
    for (const size of [0, 101, 'many']) refused(await api().call('ListAliases', { PageSize: size }), invalid('PageSize'));
    refused(await api().call('ListAliases', { PageNumber: 0 }), invalid('PageNumber'));
  });
});
