// CancelKeyDeletion through inject(): §6.1 — KeyId; {RequestId}. §3: only from PendingDeletion,
// back to Enabled; Rejected.StateModifiedFailed otherwise.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiForFile,
  createKey,
  describeKey,
  encryptUnder,
  KEY_NOT_FOUND,
  missing,
  moveTo,
  okEmpty,
  refused,
  STATE_MODIFIED_FAILED,
} from './helpers.js';

const api = apiForFile();

describe('CancelKeyDeletion', () => {
  it('answers only {RequestId} and returns a PendingDeletion key to Enabled with an empty DeleteDate', async () => {
    const { KeyId } = await createKey(api());
    await moveTo(api(), KeyId, 'PendingDeletion');
    okEmpty(await api().call('CancelKeyDeletion', { KeyId }));
    const metadata = await describeKey(api(), KeyId);
    assert.equal(metadata.KeyState, 'Enabled');
    assert.equal(metadata.DeleteDate, '');
    await encryptUnder(api(), KeyId, 'usable again');
  });

  it('returns a key that was Disabled before its deletion was scheduled to Enabled', async () => {
    const { KeyId } = await createKey(api());
    await moveTo(api(), KeyId, 'Disabled');
    await moveTo(api(), KeyId, 'PendingDeletion');
    okEmpty(await api().call('CancelKeyDeletion', { KeyId }));
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'Enabled');
  });

  it('returns an EXTERNAL key that never had material to PendingImport, not Enabled', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL' });
    await moveTo(api(), KeyId, 'PendingDeletion');
    okEmpty(await api().call('CancelKeyDeletion', { KeyId }));
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'PendingImport');
  });

  it('answers only {RequestId} when signed with HMAC-SHA1 over GET', async () => {
    const { KeyId } = await createKey(api());
    await moveTo(api(), KeyId, 'PendingDeletion');
    okEmpty(await api().call('CancelKeyDeletion', { KeyId }, { signature: 'HMAC-SHA1' }));
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'Enabled');
  });

  it('refuses an Enabled, a Disabled and a PendingImport key with 409 Rejected.StateModifiedFailed', async () => {
    const enabled = await createKey(api());
    refused(await api().call('CancelKeyDeletion', { KeyId: enabled.KeyId }), STATE_MODIFIED_FAILED);
    const disabled = await createKey(api());
    await moveTo(api(), disabled.KeyId, 'Disabled');
    refused(await api().call('CancelKeyDeletion', { KeyId: disabled.KeyId }), STATE_MODIFIED_FAILED);
    assert.equal((await describeKey(api(), disabled.KeyId)).KeyState, 'Disabled');
    const external = await createKey(api(), { Origin: 'EXTERNAL' });
    refused(await api().call('CancelKeyDeletion', { KeyId: external.KeyId }), STATE_MODIFIED_FAILED);
  });

  it('refuses a missing KeyId with MissingParameter and an unknown key with 404 Forbidden.KeyNotFound', async () => {
    refused(await api().call('CancelKeyDeletion'), missing('KeyId'));
    refused(await api().call('CancelKeyDeletion', { KeyId: '00000000-0000-4000-8000-000000000000' }), KEY_NOT_FOUND);
  });
});
