// UpdateKeyDescription through inject(): §6.1 — KeyId and Description, both required; {RequestId}.
// State rule (docs/state-table.md, from Alibaba's "Impact of CMK status on API operations"):
// allowed in Enabled, Disabled and PendingImport; 409 Rejected.PendingDeletion while pending deletion.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
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

describe('UpdateKeyDescription', () => {
  it('answers only {RequestId} and replaces the description, unicode included, which DescribeKey then reports', async () => {
    const { KeyId } = await createKey(api(), { Description: 'before' });
    okEmpty(await api().call('UpdateKeyDescription', { KeyId, Description: 'after: 账本 ✓ & "quoted"' }));
    assert.equal((await describeKey(api(), KeyId)).Description, 'after: 账本 ✓ & "quoted"');
  });

  it('updates a key named by alias', async () => {
    const { KeyId } = await createKey(api());
    await must(api(), 'CreateAlias', { AliasName: 'alias/describe-me', KeyId });
    okEmpty(await api().call('UpdateKeyDescription', { KeyId: 'alias/describe-me', Description: 'via alias' }));
    assert.equal((await describeKey(api(), KeyId)).Description, 'via alias');
  });

  it('updates a Disabled key and a PendingImport key (EXTERNAL, no material yet)', async () => {
    const disabled = await createKey(api());
    await moveTo(api(), disabled.KeyId, 'Disabled');
    const external = await createKey(api(), { Origin: 'EXTERNAL' });
    for (const KeyId of [disabled.KeyId, external.KeyId]) {
      okEmpty(await api().call('UpdateKeyDescription', { KeyId, Description: 'changed' }));
      assert.equal((await describeKey(api(), KeyId)).Description, 'changed');
    }
  });

  it('refuses a PendingDeletion key with 409 Rejected.PendingDeletion, keeping its description', async () => {
    const { KeyId } = await createKey(api(), { Description: 'kept' });
    await moveTo(api(), KeyId, 'PendingDeletion');
    refused(await api().call('UpdateKeyDescription', { KeyId, Description: 'changed' }), REJECTED_PENDING_DELETION);
    assert.equal((await describeKey(api(), KeyId)).Description, 'kept');
  });

  it('answers only {RequestId} when signed with HMAC-SHA1 over GET', async () => {
    const { KeyId } = await createKey(api());
    okEmpty(await api().call('UpdateKeyDescription', { KeyId, Description: 'v1 signed' }, { signature: 'HMAC-SHA1' }));
    assert.equal((await describeKey(api(), KeyId)).Description, 'v1 signed');
  });

  it('refuses a missing Description or KeyId with MissingParameter naming it', async () => {
    const { KeyId } = await createKey(api(), { Description: 'kept' });
    refused(await api().call('UpdateKeyDescription', { KeyId }), missing('Description'));
    refused(await api().call('UpdateKeyDescription', { Description: 'x' }), missing('KeyId'));
    assert.equal((await describeKey(api(), KeyId)).Description, 'kept');
  });

  it('accepts 8192 characters and refuses 8193 with InvalidParameter Description', async () => {
    const { KeyId } = await createKey(api());
    okEmpty(await api().call('UpdateKeyDescription', { KeyId, Description: 'x'.repeat(8192) }));
    refused(await api().call('UpdateKeyDescription', { KeyId, Description: 'x'.repeat(8193) }), invalid('Description'));
    assert.equal((await describeKey(api(), KeyId)).Description.length, 8192);
  });

  it('refuses an unknown key with 404 Forbidden.KeyNotFound', async () => {
    refused(await api().call('UpdateKeyDescription', { KeyId: '00000000-0000-4000-8000-000000000000', Description: 'x' }), KEY_NOT_FOUND);
  });
});
