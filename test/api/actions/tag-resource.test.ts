// TagResource through inject(): §6.6 — one of KeyId / SecretName / CertificateId (Arca holds only
// keys), Tags = JSON [{TagKey, TagValue}] (required); {RequestId}. Tags are added or overwritten by key.
// State rule (docs/state-table.md, from Alibaba's "Impact of CMK status on API operations"):
// allowed in Enabled, Disabled and PendingImport; 409 Rejected.PendingDeletion while pending deletion.
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

async function tagsOf(keyId: string): Promise<Array<[string, string]>> {
  const tags = (await must(api(), 'ListResourceTags', { KeyId: keyId })).Tags.Tag as Array<{ TagKey: string; TagValue: string }>;
  return tags.map((tag): [string, string] => [tag.TagKey, tag.TagValue]).sort(([a], [b]) => (a < b ? -1 : 1));
}

describe('TagResource', () => {
  it('answers only {RequestId}, adds tags, and overwrites the value of a key that is tagged already', async () => {
    const { KeyId } = await createKey(api(), { Tags: [{ TagKey: 'owner', TagValue: 'alice' }] });
    okEmpty(await api().call('TagResource', { KeyId, Tags: [{ TagKey: 'env', TagValue: 'dev' }] }));
    okEmpty(
      await api().call('TagResource', {
        KeyId,
        Tags: [
          { TagKey: 'env', TagValue: 'prod' },
          { TagKey: 'cost', TagValue: '' },
        ],
      }),
    );
    assert.deepEqual(await tagsOf(KeyId), [
      ['cost', ''],
      ['env', 'prod'],
      ['owner', 'alice'],
    ]);
  });

  it('tags a key named by alias', async () => {
    const { KeyId } = await createKey(api());
    await must(api(), 'CreateAlias', { AliasName: 'alias/tagged', KeyId });
    okEmpty(await api().call('TagResource', { KeyId: 'alias/tagged', Tags: [{ TagKey: 'via', TagValue: 'alias' }] }));
    assert.deepEqual(await tagsOf(KeyId), [['via', 'alias']]);
  });

  it('tags a Disabled key and a PendingImport key (EXTERNAL, no material yet)', async () => {
    const disabled = await createKey(api());
    await moveTo(api(), disabled.KeyId, 'Disabled');
    const external = await createKey(api(), { Origin: 'EXTERNAL' });
    for (const KeyId of [disabled.KeyId, external.KeyId]) {
      okEmpty(await api().call('TagResource', { KeyId, Tags: [{ TagKey: 'state', TagValue: 'any' }] }));
      assert.deepEqual(await tagsOf(KeyId), [['state', 'any']]);
    }
  });

  it('refuses a PendingDeletion key with 409 Rejected.PendingDeletion, adding no tag', async () => {
    const { KeyId } = await createKey(api(), { Tags: [{ TagKey: 'seed', TagValue: '1' }] });
    await moveTo(api(), KeyId, 'PendingDeletion');
    refused(await api().call('TagResource', { KeyId, Tags: [{ TagKey: 'doomed', TagValue: 'yes' }] }), REJECTED_PENDING_DELETION);
    assert.deepEqual(await tagsOf(KeyId), [['seed', '1']]);
  });

  it('answers only {RequestId} when signed with HMAC-SHA1 over GET', async () => {
    const { KeyId } = await createKey(api());
    okEmpty(await api().call('TagResource', { KeyId, Tags: [{ TagKey: 'signed', TagValue: 'v1' }] }, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(await tagsOf(KeyId), [['signed', 'v1']]);
  });

  it('refuses a missing Tags or KeyId with MissingParameter naming it', async () => {
    const { KeyId } = await createKey(api());
    refused(await api().call('TagResource', { KeyId }), missing('Tags'));
    refused(await api().call('TagResource', { Tags: [{ TagKey: 'a', TagValue: 'b' }] }), missing('KeyId'));
  });

  it('refuses SecretName and CertificateId, which name no key, with InvalidParameter naming each', async () => {
    const { KeyId } = await createKey(api());
    for (const name of ['SecretName', 'CertificateId']) {
      refused(await api().call('TagResource', { KeyId, [name]: 'x', Tags: [{ TagKey: 'a', TagValue: 'b' }] }), invalid(name));
    }
    assert.deepEqual(await tagsOf(KeyId), []);
  });

  it('refuses malformed Tags and reserved tag keys with InvalidParameter Tags, changing nothing', async () => {
    const { KeyId } = await createKey(api(), { Tags: [{ TagKey: 'seed', TagValue: '1' }] });
    for (const tags of [
      'env=prod',
      'null',
      '{"TagKey":"a","TagValue":"b"}',
      [{ TagKey: 'a', TagValue: 1 }],
      [{ TagKey: 'aliyun:x', TagValue: 'v' }],
      [{ TagKey: 'k'.repeat(129), TagValue: 'v' }],
    ]) {
      refused(await api().call('TagResource', { KeyId, Tags: tags }), invalid('Tags'));
    }
    assert.deepEqual(await tagsOf(KeyId), [['seed', '1']]);
  });

  it('refuses going over 20 tags on a key with 400 Rejected.LimitExceeded', async () => {
    const twenty = Array.from({ length: 20 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }));
    const { KeyId } = await createKey(api(), { Tags: twenty });
    okEmpty(await api().call('TagResource', { KeyId, Tags: [{ TagKey: 'k0', TagValue: 'overwritten' }] }));
    refused(await api().call('TagResource', { KeyId, Tags: [{ TagKey: 'k20', TagValue: 'v' }] }), {
      status: 400,
      code: 'Rejected.LimitExceeded',
    });
    assert.equal((await tagsOf(KeyId)).length, 20);
  });

  it('refuses an unknown key with 404 Forbidden.KeyNotFound', async () => {
    refused(
      await api().call('TagResource', { KeyId: '00000000-0000-4000-8000-000000000000', Tags: [{ TagKey: 'a', TagValue: 'b' }] }),
      KEY_NOT_FOUND,
    );
  });
});
