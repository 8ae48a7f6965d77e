// DescribeKeyVersion through inject(): §6.4 — KeyId, KeyVersionId; the KeyVersion object
// CreateKeyVersion returns.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  apiForFile,
  createKey,
  DAY_MS,
  fieldsOf,
  KEY_NOT_FOUND,
  KEY_VERSION_NOT_FOUND,
  missing,
  moveTo,
  must,
  ok,
  refused,
} from './helpers.js';

let key: any;
let second: any;
const api = apiForFile(async (api) => {
  key = (await api.call('CreateKey')).json.KeyMetadata;
  api.clock.advance(DAY_MS);
  second = (await api.call('CreateKeyVersion', { KeyId: key.KeyId })).json.KeyVersion;
});

describe('DescribeKeyVersion', () => {
  it('answers {KeyVersion: {CreationDate, KeyId, KeyVersionId}, RequestId}: the first version is as old as the key', async () => {
    const body = ok(await api().call('DescribeKeyVersion', { KeyId: key.KeyId, KeyVersionId: key.PrimaryKeyVersion }));
    assert.deepEqual(fieldsOf(body), ['KeyVersion', 'RequestId']);
    assert.deepEqual(body.KeyVersion, { CreationDate: key.CreationDate, KeyId: key.KeyId, KeyVersionId: key.PrimaryKeyVersion });
  });

  it('describes a later version with exactly what CreateKeyVersion returned', async () => {
    assert.deepEqual(
      ok(await api().call('DescribeKeyVersion', { KeyId: key.KeyId, KeyVersionId: second.KeyVersionId })).KeyVersion,
      second,
    );
  });

  it('names the key by alias', async () => {
    await must(api(), 'CreateAlias', { AliasName: 'alias/versions', KeyId: key.KeyId });
    assert.deepEqual(
      ok(await api().call('DescribeKeyVersion', { KeyId: 'alias/versions', KeyVersionId: second.KeyVersionId })).KeyVersion,
      second,
    );
  });

  it('describes a version of a PendingDeletion key', async () => {
    const doomed = await createKey(api());
    await moveTo(api(), doomed.KeyId, 'PendingDeletion');
    assert.equal(
      ok(await api().call('DescribeKeyVersion', { KeyId: doomed.KeyId, KeyVersionId: doomed.PrimaryKeyVersion })).KeyVersion.KeyId,
      doomed.KeyId,
    );
  });

  it('answers the same object when signed with HMAC-SHA1 over GET', async () => {
    const body = ok(
      await api().call('DescribeKeyVersion', { KeyId: key.KeyId, KeyVersionId: second.KeyVersionId }, { signature: 'HMAC-SHA1' }),
    );
    assert.deepEqual(body.KeyVersion, second);
  });

  it('refuses an unknown version, and a version of another key, with 404 Forbidden.KeyVersionNotFound', async () => {
    refused(await api().call('DescribeKeyVersion', { KeyId: key.KeyId, KeyVersionId: randomUUID() }), KEY_VERSION_NOT_FOUND);
    const other = await createKey(api());
    refused(await api().call('DescribeKeyVersion', { KeyId: key.KeyId, KeyVersionId: other.PrimaryKeyVersion }), KEY_VERSION_NOT_FOUND);
  });

  it('refuses a missing KeyId or KeyVersionId with MissingParameter naming it, and an unknown key with 404 Forbidden.KeyNotFound', async () => {
    refused(await api().call('DescribeKeyVersion', { KeyVersionId: second.KeyVersionId }), missing('KeyId'));
    refused(await api().call('DescribeKeyVersion', { KeyId: key.KeyId }), missing('KeyVersionId'));
    refused(await api().call('DescribeKeyVersion', { KeyId: randomUUID(), KeyVersionId: second.KeyVersionId }), KEY_NOT_FOUND);
  });
});
