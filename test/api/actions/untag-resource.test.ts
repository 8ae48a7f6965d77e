// UntagResource through inject(): §6.6 — one of KeyId / SecretName / CertificateId, TagKeys = JSON
// ["k1", "k2"] (required); {RequestId}. State rule (docs/state-table.md): allowed in Enabled,
// Disabled and PendingImport; 409 Rejected.PendingDeletion while pending deletion.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiForFile,
  createKey,
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
const SEED = [
  { TagKey: 'env', TagValue: 'dev' },
  { TagKey: 'owner', TagValue: 'alice' },
  { TagKey: 'team', TagValue: 'payments' },
];

async function tagKeysOf(keyId: string): Promise<string[]> {
  return (await must(api(), 'ListResourceTags', { KeyId: keyId })).Tags.Tag.map((tag: any) => tag.TagKey).sort();
}

describe('UntagResource', () => {
  it('answers only {RequestId} and removes the named tags, leaving the others', async () => {
    const { KeyId } = await createKey(api(), { Tags: SEED });
    okEmpty(await api().call('UntagResource', { KeyId, TagKeys: ['env', 'team'] }));
    assert.deepEqual(await tagKeysOf(KeyId), ['owner']);
  });

  it('ignores tag keys the key does not have', async () => {
    const { KeyId } = await createKey(api(), { Tags: SEED });
    okEmpty(await api().call('UntagResource', { KeyId, TagKeys: ['nope', 'owner'] }));
    assert.deepEqual(await tagKeysOf(KeyId), ['env', 'team']);
  });

  it('untags a Disabled key and a PendingImport key (EXTERNAL, no material yet)', async () => {
    const disabled = await createKey(api(), { Tags: SEED });
    await moveTo(api(), disabled.KeyId, 'Disabled');
    const external = await createKey(api(), { Origin: 'EXTERNAL', Tags: SEED });
    for (const KeyId of [disabled.KeyId, external.KeyId]) {
      okEmpty(await api().call('UntagResource', { KeyId, TagKeys: ['env'] }));
      assert.deepEqual(await tagKeysOf(KeyId), ['owner', 'team']);
    }
  });

  it('refuses a PendingDeletion key with 409 Rejected.PendingDeletion, removing no tag', async () => {
    const { KeyId } = await createKey(api(), { Tags: SEED });
    await moveTo(api(), KeyId, 'PendingDeletion');
    refused(await api().call('UntagResource', { KeyId, TagKeys: ['env'] }), REJECTED_PENDING_DELETION);
    assert.deepEqual(await tagKeysOf(KeyId), ['env', 'owner', 'team']);
  });

  it('answers only {RequestId} when signed with HMAC-SHA1 over GET', async () => {
    const { KeyId } = await createKey(api(), { Tags: SEED });
    okEmpty(await api().call('UntagResource', { KeyId, TagKeys: ['owner'] }, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(await tagKeysOf(KeyId), ['env', 'team']);
  });

  it('refuses a missing TagKeys or KeyId with MissingParameter naming it', async () => {
    const { KeyId } = await createKey(api(), { Tags: SEED });
    refused(await api().call('UntagResource', { KeyId }), missing('TagKeys'));
    refused(await api().call('UntagResource', { TagKeys: ['env'] }), missing('KeyId'));
  });

  it('refuses TagKeys that is not a JSON list of strings with InvalidParameter TagKeys, removing nothing', async () => {
    const { KeyId } = await createKey(api(), { Tags: SEED });
    for (const tagKeys of ['env', '{"env":"1"}', '[1,2]', '[["env"]]']) {
      refused(await api().call('UntagResource', { KeyId, TagKeys: tagKeys }), invalid('TagKeys'));
    }
    assert.deepEqual(await tagKeysOf(KeyId), ['env', 'owner', 'team']);
  });

  it('refuses SecretName and CertificateId with InvalidParameter naming each', async () => {
    const { KeyId } = await createKey(api());
    for (const name of ['SecretName', 'CertificateId']) {
      refused(await api().call('UntagResource', { KeyId, [name]: 'x', TagKeys: ['env'] }), invalid(name));
    }
  });

  it('refuses an unknown key with 404 Forbidden.KeyNotFound', async () => {
    refused(await api().call('UntagResource', { KeyId: '00000000-0000-4000-8000-000000000000', TagKeys: ['env'] }), KEY_NOT_FOUND);
  });
});
