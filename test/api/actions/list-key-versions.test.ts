// ListKeyVersions through inject(): §6.4 — KeyId, PageNumber, PageSize (default 10);
// {"KeyVersions":{"KeyVersion":[{CreationDate, KeyId, KeyVersionId}]}, TotalCount, PageNumber, PageSize, RequestId}.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiForFile, DAY_MS, fieldsOf, invalid, KEY_NOT_FOUND, keyArnOf, missing, ok, refused, wireTime } from './helpers.js';

let keyId = '';
/** The key's four versions, oldest first, a day apart. */
const versions: Array<{ CreationDate: string; KeyId: string; KeyVersionId: string }> = [];

const api = apiForFile(async (api) => {
  const key = (await api.call('CreateKey')).json.KeyMetadata;
  keyId = key.KeyId;
  versions.push({ CreationDate: key.CreationDate, KeyId: keyId, KeyVersionId: key.PrimaryKeyVersion });
  for (let i = 0; i < 3; i++) {
    api.clock.advance(DAY_MS);
    versions.push((await api.call('CreateKeyVersion', { KeyId: keyId })).json.KeyVersion);
  }
});

describe('ListKeyVersions', () => {
  it('answers every version, oldest first, with PageNumber 1, PageSize 10 and TotalCount', async () => {
    const body = ok(await api().call('ListKeyVersions', { KeyId: keyId }));
    assert.deepEqual(fieldsOf(body), ['KeyVersions', 'PageNumber', 'PageSize', 'RequestId', 'TotalCount']);
    assert.equal(body.TotalCount, 4);
    assert.equal(body.PageNumber, 1);
    assert.equal(body.PageSize, 10);
    assert.deepEqual(body.KeyVersions.KeyVersion, versions);
    assert.equal(versions[3]?.CreationDate, wireTime(api().clock.now()));
  });

  it('pages with PageNumber and PageSize, and answers an empty list past the end', async () => {
    const second = ok(await api().call('ListKeyVersions', { KeyId: keyId, PageNumber: 2, PageSize: 3 }));
    assert.equal(second.PageNumber, 2);
    assert.equal(second.PageSize, 3);
    assert.equal(second.TotalCount, 4);
    assert.deepEqual(second.KeyVersions.KeyVersion, versions.slice(3));
    assert.deepEqual(ok(await api().call('ListKeyVersions', { KeyId: keyId, PageNumber: 3, PageSize: 3 })).KeyVersions, { KeyVersion: [] });
  });

  it('names the key by Arn with the same answer', async () => {
    assert.deepEqual(ok(await api().call('ListKeyVersions', { KeyId: keyArnOf(api(), keyId) })).KeyVersions.KeyVersion, versions);
  });

  it('answers the same list when signed with HMAC-SHA1 over GET', async () => {
    assert.deepEqual(
      ok(await api().call('ListKeyVersions', { KeyId: keyId }, { signature: 'HMAC-SHA1' })).KeyVersions.KeyVersion,
      versions,
    );
  });

  it('refuses a missing KeyId, an unknown key and a bad page with the documented errors', async () => {
    refused(await api().call('ListKeyVersions'), missing('KeyId'));
    refused(await api().call('ListKeyVersions', { KeyId: '00000000-0000-4000-8000-000000000000' }), KEY_NOT_FOUND);
    refused(await api().call('ListKeyVersions', { KeyId: keyId, PageSize: 0 }), invalid('PageSize'));
    refused(await api().call('ListKeyVersions', { KeyId: keyId, PageNumber: 0 }), invalid('PageNumber'));
  });
});
