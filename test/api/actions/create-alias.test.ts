// CreateAlias through inject(): §6.2 — AliasName and KeyId, both required; {RequestId}. §5.1: the
// name is `alias/` then [A-Za-z0-9_/-], at most 255 in all, never `alias/acs…`; unique; many per key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALIAS_ALREADY_EXISTS,
  aliasArnOf,
  apiForFile,
  createKey,
  describeKey,
  invalid,
  KEY_NOT_FOUND,
  missing,
  moveTo,
  must,
  okEmpty,
  refused,
  STATE_MODIFIED_FAILED,
} from './helpers.js';

const api = apiForFile();

describe('CreateAlias', () => {
  it('answers only {RequestId}; the alias then names the key in DescribeKey, Encrypt and ListAliasesByKeyId', async () => {
    const { KeyId } = await createKey(api());
    okEmpty(await api().call('CreateAlias', { AliasName: 'alias/orders', KeyId }));
    assert.equal((await describeKey(api(), 'alias/orders')).KeyId, KeyId);
    assert.equal((await must(api(), 'Encrypt', { KeyId: 'alias/orders', Plaintext: 'p' })).KeyId, KeyId);
    assert.deepEqual((await must(api(), 'ListAliasesByKeyId', { KeyId })).Aliases.Alias, [
      { AliasArn: aliasArnOf(api(), 'alias/orders'), AliasName: 'alias/orders', KeyId },
    ]);
  });

  it('gives one key several aliases, and accepts a name of exactly 255 characters with slashes, dashes and underscores', async () => {
    const { KeyId } = await createKey(api());
    const long = `alias/a_b-c/${'z'.repeat(255 - 'alias/a_b-c/'.length)}`;
    assert.equal(long.length, 255);
    okEmpty(await api().call('CreateAlias', { AliasName: long, KeyId }));
    okEmpty(await api().call('CreateAlias', { AliasName: 'alias/second', KeyId }));
    assert.equal((await must(api(), 'ListAliasesByKeyId', { KeyId })).TotalCount, 2);
  });

  it('points an alias at a Disabled key and at a PendingImport key', async () => {
    const disabled = await createKey(api());
    await moveTo(api(), disabled.KeyId, 'Disabled');
    okEmpty(await api().call('CreateAlias', { AliasName: 'alias/on-disabled', KeyId: disabled.KeyId }));
    const external = await createKey(api(), { Origin: 'EXTERNAL' });
    okEmpty(await api().call('CreateAlias', { AliasName: 'alias/on-pending-import', KeyId: external.KeyId }));
  });

  it('answers only {RequestId} when signed with HMAC-SHA1 over GET', async () => {
    const { KeyId } = await createKey(api());
    okEmpty(await api().call('CreateAlias', { AliasName: 'alias/v1-signed', KeyId }, { signature: 'HMAC-SHA1' }));
    assert.equal((await describeKey(api(), 'alias/v1-signed')).KeyId, KeyId);
  });

  it('refuses an alias that exists with 400 AliasAlreadyExists, leaving it on its first key', async () => {
    const first = await createKey(api());
    const second = await createKey(api());
    okEmpty(await api().call('CreateAlias', { AliasName: 'alias/taken', KeyId: first.KeyId }));
    refused(await api().call('CreateAlias', { AliasName: 'alias/taken', KeyId: second.KeyId }), ALIAS_ALREADY_EXISTS);
    assert.equal((await describeKey(api(), 'alias/taken')).KeyId, first.KeyId);
  });

  it('refuses malformed names with InvalidParameter AliasName: no prefix, the reserved alias/acs prefix, other characters, 256 characters', async () => {
    const { KeyId } = await createKey(api());
    for (const aliasName of [
      'orders',
      'alias/',
      'alias/acs-reserved',
      'alias/acs',
      'alias/with space',
      'alias/dot.ted',
      `alias/${'z'.repeat(250)}`,
    ]) {
      refused(await api().call('CreateAlias', { AliasName: aliasName, KeyId }), invalid('AliasName'));
    }
    assert.equal((await must(api(), 'ListAliasesByKeyId', { KeyId })).TotalCount, 0);
  });

  it('refuses a missing AliasName or KeyId with MissingParameter naming it', async () => {
    const { KeyId } = await createKey(api());
    refused(await api().call('CreateAlias', { KeyId }), missing('AliasName'));
    refused(await api().call('CreateAlias', { AliasName: 'alias/no-key' }), missing('KeyId'));
  });

  it('refuses an unknown key with 404 Forbidden.KeyNotFound and a PendingDeletion key with 409 Rejected.StateModifiedFailed', async () => {
    refused(await api().call('CreateAlias', { AliasName: 'alias/nowhere', KeyId: '00000000-0000-4000-8000-000000000000' }), KEY_NOT_FOUND);
    const { KeyId } = await createKey(api());
    await moveTo(api(), KeyId, 'PendingDeletion');
    refused(await api().call('CreateAlias', { AliasName: 'alias/doomed', KeyId }), STATE_MODIFIED_FAILED);
    assert.equal((await must(api(), 'ListAliasesByKeyId', { KeyId })).TotalCount, 0);
  });
});
