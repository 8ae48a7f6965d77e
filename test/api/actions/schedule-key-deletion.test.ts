// ScheduleKeyDeletion through inject(): §6.1 — KeyId, PendingWindowInDays (integer, required,
// 7–366); {RequestId}; DescribeKey then shows PendingDeletion and DeleteDate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiForFile,
  createKey,
  DAY_MS,
  DELETION_PROTECTED,
  describeKey,
  invalid,
  KEY_NOT_FOUND,
  missing,
  moveTo,
  must,
  okEmpty,
  refused,
  REJECTED_PENDING_DELETION,
  STATE_MODIFIED_FAILED,
  wireTime,
} from './helpers.js';

const api = apiForFile();

describe('ScheduleKeyDeletion', () => {
  it('answers only {RequestId}; the key is PendingDeletion with DeleteDate PendingWindowInDays from now, and refuses Encrypt', async () => {
    const { KeyId } = await createKey(api());
    okEmpty(await api().call('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 7 }));
    const metadata = await describeKey(api(), KeyId);
    assert.equal(metadata.KeyState, 'PendingDeletion');
    assert.equal(metadata.DeleteDate, wireTime(api().clock.now() + 7 * DAY_MS));
    refused(await api().call('Encrypt', { KeyId, Plaintext: 'x' }), REJECTED_PENDING_DELETION);
  });

  it('accepts the widest window, 366 days, a Disabled key and a PendingImport key', async () => {
    const widest = await createKey(api());
    okEmpty(await api().call('ScheduleKeyDeletion', { KeyId: widest.KeyId, PendingWindowInDays: '366' }));
    assert.equal((await describeKey(api(), widest.KeyId)).DeleteDate, wireTime(api().clock.now() + 366 * DAY_MS));
    const disabled = await createKey(api());
    await moveTo(api(), disabled.KeyId, 'Disabled');
    okEmpty(await api().call('ScheduleKeyDeletion', { KeyId: disabled.KeyId, PendingWindowInDays: 30 }));
    assert.equal((await describeKey(api(), disabled.KeyId)).KeyState, 'PendingDeletion');
    const external = await createKey(api(), { Origin: 'EXTERNAL' });
    okEmpty(await api().call('ScheduleKeyDeletion', { KeyId: external.KeyId, PendingWindowInDays: 30 }));
    assert.equal((await describeKey(api(), external.KeyId)).KeyState, 'PendingDeletion');
  });

  it('answers only {RequestId} when signed with HMAC-SHA1 over GET', async () => {
    const { KeyId } = await createKey(api());
    okEmpty(await api().call('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 10 }, { signature: 'HMAC-SHA1' }));
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'PendingDeletion');
  });

  it('refuses a missing PendingWindowInDays or KeyId with MissingParameter naming it', async () => {
    const { KeyId } = await createKey(api());
    refused(await api().call('ScheduleKeyDeletion', { KeyId }), missing('PendingWindowInDays'));
    refused(await api().call('ScheduleKeyDeletion', { PendingWindowInDays: 7 }), missing('KeyId'));
  });

  it('refuses a window outside 7–366 days or not an integer with InvalidParameter PendingWindowInDays, leaving the key Enabled', async () => {
    const { KeyId } = await createKey(api());
    for (const days of [6, 367, 0, -7, '7.5', '1e1', 'seven']) {
      refused(await api().call('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: days }), invalid('PendingWindowInDays'));
    }
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'Enabled');
  });

  it('refuses a key already PendingDeletion with 409 Rejected.StateModifiedFailed and keeps its DeleteDate', async () => {
    const { KeyId } = await createKey(api());
    await moveTo(api(), KeyId, 'PendingDeletion');
    const before = (await describeKey(api(), KeyId)).DeleteDate;
    refused(await api().call('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 30 }), STATE_MODIFIED_FAILED);
    assert.equal((await describeKey(api(), KeyId)).DeleteDate, before);
  });

  it('refuses a key under deletion protection with 409 Rejected.StateModifiedFailed, leaving it Enabled', async () => {
    const { KeyId } = await createKey(api());
    await must(api(), 'SetDeletionProtection', { KeyId, EnableDeletionProtection: true });
    refused(await api().call('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 7 }), DELETION_PROTECTED);
    const metadata = await describeKey(api(), KeyId);
    assert.equal(metadata.KeyState, 'Enabled');
    assert.equal(metadata.DeleteDate, '');
  });

  it('has no dry run: DryRun=true is refused with 400 InvalidParameter DryRun and the key stays Enabled, under both signatures', async () => {
    const { KeyId } = await createKey(api());
    for (const signature of ['ACS3-HMAC-SHA256', 'HMAC-SHA1'] as const) {
      for (const DryRun of [true, 'TRUE']) {
        refused(await api().call('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 7, DryRun }, { signature }), invalid('DryRun'));
      }
    }
    const metadata = await describeKey(api(), KeyId);
    assert.equal(metadata.KeyState, 'Enabled');
    assert.equal(metadata.DeleteDate, '');
    okEmpty(await api().call('ScheduleKeyDeletion', { KeyId, PendingWindowInDays: 7, DryRun: false }));
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'PendingDeletion');
  });

  it('refuses an unknown key with 404 Forbidden.KeyNotFound', async () => {
    refused(
      await api().call('ScheduleKeyDeletion', { KeyId: '00000000-0000-4000-8000-000000000000', PendingWindowInDays: 7 }),
      KEY_NOT_FOUND,
    );
  });
});
