// ListResourceTags through inject(): §6.6 — KeyId; {"Tags":{"Tag":[{KeyId, TagKey, TagValue}]}, RequestId}.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiForFile, createKey, fieldsOf, KEY_NOT_FOUND, keyArnOf, missing, moveTo, must, ok, refused } from './helpers.js';

const api = apiForFile();
const TAGS = [
  { TagKey: 'env', TagValue: 'prod' },
  { TagKey: 'owner', TagValue: 'alice 账本' },
];

describe('ListResourceTags', () => {
  it('answers {Tags: {Tag: [{KeyId, TagKey, TagValue}]}, RequestId} with the real KeyId on every tag', async () => {
    const { KeyId } = await createKey(api(), { Tags: TAGS });
    const body = ok(await api().call('ListResourceTags', { KeyId }));
    assert.deepEqual(fieldsOf(body), ['RequestId', 'Tags']);
    for (const tag of body.Tags.Tag) assert.deepEqual(fieldsOf(tag), ['KeyId', 'TagKey', 'TagValue']);
    assert.deepEqual(
      body.Tags.Tag,
      TAGS.map((tag) => ({ KeyId, ...tag })),
    );
  });

  it('answers {Tag: []} for a key without tags', async () => {
    const { KeyId } = await createKey(api());
    assert.deepEqual(ok(await api().call('ListResourceTags', { KeyId })).Tags, { Tag: [] });
  });

  it('names the key by alias or Arn, and lists the tags of a PendingDeletion key', async () => {
    const { KeyId } = await createKey(api(), { Tags: TAGS });
    await must(api(), 'CreateAlias', { AliasName: 'alias/listed', KeyId });
    await moveTo(api(), KeyId, 'PendingDeletion');
    for (const reference of ['alias/listed', keyArnOf(api(), KeyId)]) {
      assert.deepEqual(
        ok(await api().call('ListResourceTags', { KeyId: reference })).Tags.Tag,
        TAGS.map((tag) => ({ KeyId, ...tag })),
      );
    }
  });

  it('answers the same list when signed with HMAC-SHA1 over GET', async () => {
    const { KeyId } = await createKey(api(), { Tags: TAGS });
    assert.deepEqual(
      ok(await api().call('ListResourceTags', { KeyId }, { signature: 'HMAC-SHA1' })).Tags.Tag,
      TAGS.map((tag) => ({ KeyId, ...tag })),
    );
  });

  it('refuses a missing KeyId with MissingParameter and an unknown key with 404 Forbidden.KeyNotFound', async () => {
    refused(await api().call('ListResourceTags'), missing('KeyId'));
    refused(await api().call('ListResourceTags', { KeyId: '00000000-0000-4000-8000-000000000000' }), KEY_NOT_FOUND);
  });
});
