// SetDeletionProtection through inject(): §6.1 — EnableDeletionProtection (bool, required), the key
// by KeyId or ProtectedResourceArn, DeletionProtectionDescription (used only when enabling); {RequestId}.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiForFile,
  createKey,
  describeKey,
  invalid,
  KEY_NOT_FOUND,
  keyArnOf,
  missing,
  moveTo,
  okEmpty,
  refused,
  STATE_MODIFIED_FAILED,
} from './helpers.js';

const api = apiForFile();

describe('SetDeletionProtection', () => {
  it('answers only {RequestId}; DescribeKey then shows DeletionProtection Enabled with the description', async () => {
    const { KeyId } = await createKey(api());
    okEmpty(
      await api().call('SetDeletionProtection', {
        KeyId,
        EnableDeletionProtection: true,
        DeletionProtectionDescription: 'billing archive',
      }),
    );
    const metadata = await describeKey(api(), KeyId);
    assert.equal(metadata.DeletionProtection, 'Enabled');
    assert.equal(metadata.DeletionProtectionDescription, 'billing archive');
  });

  it('names the key by ProtectedResourceArn, and disabling clears the description so deletion can be scheduled', async () => {
    const { KeyId } = await createKey(api());
    okEmpty(await api().call('SetDeletionProtection', { KeyId, EnableDeletionProtection: true, DeletionProtectionDescription: 'held' }));
    okEmpty(await api().call('SetDeletionProtection', { ProtectedResourceArn: keyArnOf(api(), KeyId), EnableDeletionProtection: 'false' }));
    const metadata = await describeKey(api(), KeyId);
    assert.equal(metadata.DeletionProtection, 'Disabled');
    assert.equal(metadata.DeletionProtectionDescription, '');
    okEmpty(await api().call('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 7 }));
  });

  it('protects a Disabled key', async () => {
    const { KeyId } = await createKey(api());
    await moveTo(api(), KeyId, 'Disabled');
    okEmpty(await api().call('SetDeletionProtection', { KeyId, EnableDeletionProtection: true }));
    assert.equal((await describeKey(api(), KeyId)).DeletionProtection, 'Enabled');
  });

  it('answers only {RequestId} when signed with HMAC-SHA1 over GET', async () => {
    const { KeyId } = await createKey(api());
    okEmpty(await api().call('SetDeletionProtection', { KeyId, EnableDeletionProtection: true }, { signature: 'HMAC-SHA1' }));
    assert.equal((await describeKey(api(), KeyId)).DeletionProtection, 'Enabled');
  });

  it('refuses a request naming no key with MissingParameter ProtectedResourceArn, and one without EnableDeletionProtection with MissingParameter naming it', async () => {
    const { KeyId } = await createKey(api());
    refused(await api().call('SetDeletionProtection', { EnableDeletionProtection: true }), missing('ProtectedResourceArn'));
    refused(await api().call('SetDeletionProtection', { KeyId }), missing('EnableDeletionProtection'));
  });

  it('refuses an EnableDeletionProtection that is not a boolean with InvalidParameter naming it', async () => {
    const { KeyId } = await createKey(api());
    refused(await api().call('SetDeletionProtection', { KeyId, EnableDeletionProtection: 'on' }), invalid('EnableDeletionProtection'));
    assert.equal((await describeKey(api(), KeyId)).DeletionProtection, 'Disabled');
  });

  it('refuses a PendingDeletion key with 409 Rejected.StateModifiedFailed', async () => {
    const { KeyId } = await createKey(api());
    await moveTo(api(), KeyId, 'PendingDeletion');
    refused(await api().call('SetDeletionProtection', { KeyId, EnableDeletionProtection: true }), STATE_MODIFIED_FAILED);
    assert.equal((await describeKey(api(), KeyId)).DeletionProtection, 'Disabled');
  });

  it('refuses an unknown key, by KeyId or by ProtectedResourceArn, with 404 Forbidden.KeyNotFound', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    refused(await api().call('SetDeletionProtection', { KeyId: unknown, EnableDeletionProtection: true }), KEY_NOT_FOUND);
    refused(
      await api().call('SetDeletionProtection', { ProtectedResourceArn: keyArnOf(api(), unknown), EnableDeletionProtection: true }),
      KEY_NOT_FOUND,
    );
  });
});
