// DisableKey through inject(): §6.1 — KeyId; {RequestId}. §3: a Disabled key refuses every
// cryptographic action with Rejected.Disabled, Decrypt included.
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
  refused,
  okEmpty,
  REJECTED_DISABLED,
  STATE_MODIFIED_FAILED,
} from './helpers.js';

const api = apiForFile();

describe('DisableKey', () => {
  it('answers only {RequestId} and makes the key Disabled: Encrypt, Decrypt and GenerateDataKey refuse with 409 Rejected.Disabled', async () => {
    const { KeyId } = await createKey(api());
    const blob = await encryptUnder(api(), KeyId, 'sealed while enabled');
    okEmpty(await api().call('DisableKey', { KeyId }));
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'Disabled');
    refused(await api().call('Encrypt', { KeyId, Plaintext: 'x' }), REJECTED_DISABLED);
    refused(await api().call('Decrypt', { CiphertextBlob: blob }), REJECTED_DISABLED);
    refused(await api().call('GenerateDataKey', { KeyId }), REJECTED_DISABLED);
  });

  it('accepts a key that is already Disabled and leaves it Disabled', async () => {
    const { KeyId } = await createKey(api());
    await moveTo(api(), KeyId, 'Disabled');
    okEmpty(await api().call('DisableKey', { KeyId }));
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'Disabled');
  });

  it('shows automatic rotation as Suspended while the key is Disabled', async () => {
    const { KeyId } = await createKey(api(), { EnableAutomaticRotation: true, RotationInterval: '7d' });
    okEmpty(await api().call('DisableKey', { KeyId }));
    assert.equal((await describeKey(api(), KeyId)).AutomaticRotation, 'Suspended');
  });

  it('answers only {RequestId} when signed with HMAC-SHA1 over GET', async () => {
    const { KeyId } = await createKey(api());
    okEmpty(await api().call('DisableKey', { KeyId }, { signature: 'HMAC-SHA1' }));
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'Disabled');
  });

  it('refuses a PendingDeletion key and a PendingImport key with 409 Rejected.StateModifiedFailed, changing neither', async () => {
    const pending = await createKey(api());
    await moveTo(api(), pending.KeyId, 'PendingDeletion');
    refused(await api().call('DisableKey', { KeyId: pending.KeyId }), STATE_MODIFIED_FAILED);
    assert.equal((await describeKey(api(), pending.KeyId)).KeyState, 'PendingDeletion');
    const external = await createKey(api(), { Origin: 'EXTERNAL' });
    refused(await api().call('DisableKey', { KeyId: external.KeyId }), STATE_MODIFIED_FAILED);
    assert.equal((await describeKey(api(), external.KeyId)).KeyState, 'PendingImport');
  });

  it('refuses a missing KeyId with MissingParameter and an unknown key with 404 Forbidden.KeyNotFound', async () => {
    refused(await api().call('DisableKey'), missing('KeyId'));
    refused(await api().call('DisableKey', { KeyId: '00000000-0000-4000-8000-000000000000' }), KEY_NOT_FOUND);
  });
});
