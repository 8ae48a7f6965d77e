// DeleteAlias through inject(): §6.2 — AliasName; {RequestId}. §3: allowed whatever the key's state;
// the key itself stays.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALIAS_NOT_FOUND, apiForFile, createKey, describeKey, missing, moveTo, must, okEmpty, refused } from './helpers.js';

const api = apiForFile();

describe('DeleteAlias', () => {
  it('answers only {RequestId}; the alias then names nothing, and its key stays as it was', async () => {
    const { KeyId } = await createKey(api());
    await must(api(), 'CreateAlias', { AliasName: 'alias/short-lived', KeyId });
    okEmpty(await api().call('DeleteAlias', { AliasName: 'alias/short-lived' }));
    refused(await api().call('DescribeKey', { KeyId: 'alias/short-lived' }), ALIAS_NOT_FOUND);
    refused(await api().call('Encrypt', { KeyId: 'alias/short-lived', Plaintext: 'x' }), ALIAS_NOT_FOUND);
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'Enabled');
    assert.equal((await must(api(), 'ListAliasesByKeyId', { KeyId })).TotalCount, 0);
  });

  it('deletes only the named alias of a key that has several', async () => {
    const { KeyId } = await createKey(api());
    await must(api(), 'CreateAlias', { AliasName: 'alias/one', KeyId });
    await must(api(), 'CreateAlias', { AliasName: 'alias/two', KeyId });
    okEmpty(await api().call('DeleteAlias', { AliasName: 'alias/one' }));
    assert.deepEqual(
      (await must(api(), 'ListAliasesByKeyId', { KeyId })).Aliases.Alias.map((alias: any) => alias.AliasName),
      ['alias/two'],
    );
  });

  it('deletes an alias of a PendingDeletion key, which stays PendingDeletion', async () => {
    const { KeyId } = await createKey(api());
    await must(api(), 'CreateAlias', { AliasName: 'alias/of-doomed', KeyId });
    await moveTo(api(), KeyId, 'PendingDeletion');
    okEmpty(await api().call('DeleteAlias', { AliasName: 'alias/of-doomed' }));
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'PendingDeletion');
  });

  it('answers only {RequestId} when signed with HMAC-SHA1 over GET', async () => {
    const { KeyId } = await createKey(api());
    await must(api(), 'CreateAlias', { AliasName: 'alias/v1-delete', KeyId });
    okEmpty(await api().call('DeleteAlias', { AliasName: 'alias/v1-delete' }, { signature: 'HMAC-SHA1' }));
    refused(await api().call('DescribeKey', { KeyId: 'alias/v1-delete' }), ALIAS_NOT_FOUND);
  });

  it('refuses an alias that does not exist, or no longer does, with 404 Forbidden.AliasNotFound', async () => {
    refused(await api().call('DeleteAlias', { AliasName: 'alias/never-made' }), ALIAS_NOT_FOUND);
    const { KeyId } = await createKey(api());
    await must(api(), 'CreateAlias', { AliasName: 'alias/twice', KeyId });
    okEmpty(await api().call('DeleteAlias', { AliasName: 'alias/twice' }));
    refused(await api().call('DeleteAlias', { AliasName: 'alias/twice' }), ALIAS_NOT_FOUND);
  });

  it('refuses a missing AliasName with MissingParameter AliasName', async () => {
    refused(await api().call('DeleteAlias'), missing('AliasName'));
  });
});
