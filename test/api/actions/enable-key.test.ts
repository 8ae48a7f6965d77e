// EnableKey through inject(): §6.1 — KeyId; {RequestId}. §3: OK from Enabled or Disabled,
// Rejected.StateModifiedFailed from PendingDeletion or PendingImport.
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
  must,
  okEmpty,
  refused,
  REJECTED_DISABLED,
  STATE_MODIFIED_FAILED,
} from './helpers.js';

const api = apiForFile();

describe('EnableKey', () => {
  it('answers only {RequestId} and makes a Disabled key Enabled, so it encrypts and decrypts again', async () => {
    const { KeyId } = await createKey(api());
    const blob = await encryptUnder(api(), KeyId, 'before disabling');
    await moveTo(api(), KeyId, 'Disabled');
    refused(await api().call('Encrypt', { KeyId, Plaintext: 'x' }), REJECTED_DISABLED);
    okEmpty(await api().call('EnableKey', { KeyId }));
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'Enabled');
    assert.equal((await must(api(), 'Decrypt', { CiphertextBlob: blob })).Plaintext, 'before disabling');
    await encryptUnder(api(), KeyId, 'after enabling');
  });

  it('accepts an Enabled key and leaves it Enabled', async () => {
    const { KeyId } = await createKey(api());
    okEmpty(await api().call('EnableKey', { KeyId }));
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'Enabled');
  });

  it('enables a key named by alias', async () => {
    const { KeyId } = await createKey(api());
    await must(api(), 'CreateAlias', { AliasName: 'alias/enable-me', KeyId });
    await moveTo(api(), KeyId, 'Disabled');
    okEmpty(await api().call('EnableKey', { KeyId: 'alias/enable-me' }));
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'Enabled');
  });

  it('answers only {RequestId} when signed with HMAC-SHA1 over GET', async () => {
    const { KeyId } = await createKey(api());
    await moveTo(api(), KeyId, 'Disabled');
    okEmpty(await api().call('EnableKey', { KeyId }, { signature: 'HMAC-SHA1' }));
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'Enabled');
  });

  it('refuses a PendingDeletion key with 409 Rejected.StateModifiedFailed and leaves it PendingDeletion', async () => {
    const { KeyId } = await createKey(api());
    await moveTo(api(), KeyId, 'PendingDeletion');
    refused(await api().call('EnableKey', { KeyId }), STATE_MODIFIED_FAILED);
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'PendingDeletion');
  });

  it('refuses a PendingImport key (EXTERNAL, no material yet) with 409 Rejected.StateModifiedFailed', async () => {
    const { KeyId } = await createKey(api(), { Origin: 'EXTERNAL' });
    refused(await api().call('EnableKey', { KeyId }), STATE_MODIFIED_FAILED);
    assert.equal((await describeKey(api(), KeyId)).KeyState, 'PendingImport');
  });

  it('refuses a missing KeyId with MissingParameter and an unknown key with 404 Forbidden.KeyNotFound', async () => {
    refused(await api().call('EnableKey'), missing('KeyId'));
    refused(await api().call('EnableKey', { KeyId: '00000000-0000-4000-8000-000000000000' }), KEY_NOT_FOUND);
  });
});
