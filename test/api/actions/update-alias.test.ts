// UpdateAlias through inject(): §6.2 — AliasName and KeyId (the new target); {RequestId}. §3: judged
// on the target only, Rejected.PendingDeletion when the target is pending deletion.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALIAS_NOT_FOUND,
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
  REJECTED_PENDING_DELETION,
} from './helpers.js';

const api = apiForFile();

async function aliasOn(aliasName: string, keyId: string): Promise<void> {
  await must(api(), 'CreateAlias', { AliasName: aliasName, KeyId: keyId });
}

describe('UpdateAlias', () => {
  it('answers only {RequestId} and repoints the alias: Encrypt by alias uses the new key, the old key lists no alias', async () => {
    const first = await createKey(api());
    const second = await createKey(api(), { KeySpec: 'Aliyun_SM4' });
    await aliasOn('alias/moving', first.KeyId);
    okEmpty(await api().call('UpdateAlias', { AliasName: 'alias/moving', KeyId: second.KeyId }));
    assert.equal((await describeKey(api(), 'alias/moving')).KeyId, second.KeyId);
    assert.equal((await must(api(), 'Encrypt', { KeyId: 'alias/moving', Plaintext: 'p' })).KeyId, second.KeyId);
    assert.deepEqual((await must(api(), 'ListAliasesByKeyId', { KeyId: first.KeyId })).Aliases, { Alias: [] });
    assert.deepEqual((await must(api(), 'ListAliasesByKeyId', { KeyId: second.KeyId })).Aliases.Alias, [
      { AliasArn: aliasArnOf(api(), 'alias/moving'), AliasName: 'alias/moving', KeyId: second.KeyId },
    ]);
  });

  it('moves an alias away from a PendingDeletion key, and onto a Disabled key', async () => {
    const doomed = await createKey(api());
    const disabled = await createKey(api());
    await aliasOn('alias/leaving', doomed.KeyId);
    await moveTo(api(), doomed.KeyId, 'PendingDeletion');
    await moveTo(api(), disabled.KeyId, 'Disabled');
    okEmpty(await api().call('UpdateAlias', { AliasName: 'alias/leaving', KeyId: disabled.KeyId }));
    assert.equal((await describeKey(api(), 'alias/leaving')).KeyId, disabled.KeyId);
  });

  it('answers only {RequestId} when signed with HMAC-SHA1 over GET', async () => {
    const first = await createKey(api());
    const second = await createKey(api());
    await aliasOn('alias/v1-moving', first.KeyId);
    okEmpty(await api().call('UpdateAlias', { AliasName: 'alias/v1-moving', KeyId: second.KeyId }, { signature: 'HMAC-SHA1' }));
    assert.equal((await describeKey(api(), 'alias/v1-moving')).KeyId, second.KeyId);
  });

  it('refuses an alias that does not exist with 404 Forbidden.AliasNotFound and creates none', async () => {
    const { KeyId } = await createKey(api());
    refused(await api().call('UpdateAlias', { AliasName: 'alias/never-made', KeyId }), ALIAS_NOT_FOUND);
    refused(await api().call('DescribeKey', { KeyId: 'alias/never-made' }), ALIAS_NOT_FOUND);
  });

  it('refuses a PendingDeletion target with 409 Rejected.PendingDeletion, leaving the alias where it was', async () => {
    const current = await createKey(api());
    const target = await createKey(api());
    await aliasOn('alias/staying', current.KeyId);
    await moveTo(api(), target.KeyId, 'PendingDeletion');
    refused(await api().call('UpdateAlias', { AliasName: 'alias/staying', KeyId: target.KeyId }), REJECTED_PENDING_DELETION);
    assert.equal((await describeKey(api(), 'alias/staying')).KeyId, current.KeyId);
  });

  it('refuses an unknown target with 404 Forbidden.KeyNotFound', async () => {
    const current = await createKey(api());
    await aliasOn('alias/unknown-target', current.KeyId);
    refused(
      await api().call('UpdateAlias', { AliasName: 'alias/unknown-target', KeyId: '00000000-0000-4000-8000-000000000000' }),
      KEY_NOT_FOUND,
    );
    assert.equal((await describeKey(api(), 'alias/unknown-target')).KeyId, current.KeyId);
  });

  it('refuses a malformed AliasName with InvalidParameter, and a missing AliasName or KeyId with MissingParameter naming it', async () => {
    const { KeyId } = await createKey(api());
    refused(await api().call('UpdateAlias', { AliasName: 'no-prefix', KeyId }), invalid('AliasName'));
    refused(await api().call('UpdateAlias', { KeyId }), missing('AliasName'));
    refused(await api().call('UpdateAlias', { AliasName: 'alias/x' }), missing('KeyId'));
  });
});
