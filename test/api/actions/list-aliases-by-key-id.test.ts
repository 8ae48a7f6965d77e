// ListAliasesByKeyId through inject(): §6.2 — KeyId (id, alias or Arn), PageNumber, PageSize; the
// same shape as ListAliases, holding only the key's aliases.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  aliasArnOf,
  apiForFile,
  createKey,
  fieldsOf,
  invalid,
  KEY_NOT_FOUND,
  keyArnOf,
  missing,
  moveTo,
  must,
  ok,
  refused,
} from './helpers.js';

let keyId = '';
let otherKeyId = '';
const names = ['alias/k-1', 'alias/k-2', 'alias/k-3'];

const api = apiForFile(async (api) => {
  keyId = (await createKey(api)).KeyId;
  otherKeyId = (await createKey(api)).KeyId;
  await must(api, 'CreateAlias', { AliasName: 'alias/other', KeyId: otherKeyId });
  for (const aliasName of names) {
    api.clock.advance(1000);
    await must(api, 'CreateAlias', { AliasName: aliasName, KeyId: keyId });
  }
});

describe('ListAliasesByKeyId', () => {
  it("answers only the key's aliases, oldest first, in the ListAliases shape", async () => {
    const body = ok(await api().call('ListAliasesByKeyId', { KeyId: keyId }));
    assert.deepEqual(fieldsOf(body), ['Aliases', 'PageNumber', 'PageSize', 'RequestId', 'TotalCount']);
    assert.equal(body.TotalCount, 3);
    assert.equal(body.PageNumber, 1);
    assert.equal(body.PageSize, 10);
    assert.deepEqual(
      body.Aliases.Alias,
      names.map((aliasName) => ({ AliasArn: aliasArnOf(api(), aliasName), AliasName: aliasName, KeyId: keyId })),
    );
  });

  it('names the key by an alias or its Arn with the same answer', async () => {
    const byId = ok(await api().call('ListAliasesByKeyId', { KeyId: keyId })).Aliases;
    for (const reference of ['alias/k-2', keyArnOf(api(), keyId)]) {
      assert.deepEqual(ok(await api().call('ListAliasesByKeyId', { KeyId: reference })).Aliases, byId, reference);
    }
  });

  it('pages with PageNumber and PageSize', async () => {
    const body = ok(await api().call('ListAliasesByKeyId', { KeyId: keyId, PageNumber: 2, PageSize: 2 }));
    assert.equal(body.TotalCount, 3);
    assert.equal(body.PageNumber, 2);
    assert.equal(body.PageSize, 2);
    assert.deepEqual(
      body.Aliases.Alias.map((alias: any) => alias.AliasName),
      ['alias/k-3'],
    );
  });

  it('answers {Alias: []} and TotalCount 0 for a key without aliases, also when it is PendingDeletion', async () => {
    const { KeyId } = await createKey(api());
    await moveTo(api(), KeyId, 'PendingDeletion');
    const body = ok(await api().call('ListAliasesByKeyId', { KeyId }));
    assert.deepEqual(body.Aliases, { Alias: [] });
    assert.equal(body.TotalCount, 0);
  });

  it('answers the same list when signed with HMAC-SHA1 over GET', async () => {
    const body = ok(await api().call('ListAliasesByKeyId', { KeyId: keyId }, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(
      body.Aliases.Alias.map((alias: any) => alias.AliasName),
      names,
    );
  });

  it('refuses a missing KeyId with MissingParameter, an unknown key with 404 Forbidden.KeyNotFound, and a bad PageSize with InvalidParameter', async () => {
    refused(await api().call('ListAliasesByKeyId'), missing('KeyId'));
    refused(await api().call('ListAliasesByKeyId', { KeyId: '00000000-0000-4000-8000-000000000000' }), KEY_NOT_FOUND);
    refused(await api().call('ListAliasesByKeyId', { KeyId: keyId, PageSize: 101 }), invalid('PageSize'));
  });
});
