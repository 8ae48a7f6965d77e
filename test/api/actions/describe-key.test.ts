// DescribeKey through inject(): §6.1 — KeyId (id, alias or Arn); KeyMetadata plus DeletionProtection fields.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALIAS_NOT_FOUND,
  aliasNamer,
  apiForFile,
  createKey,
  DAY_MS,
  fieldsOf,
  KEY_NOT_FOUND,
  keyArnOf,
  missing,
  moveTo,
  must,
  ok,
  refused,
  wireTime,
} from './helpers.js';

const api = apiForFile();
const uniqueAlias = aliasNamer();

describe('DescribeKey', () => {
  it('answers {KeyMetadata, RequestId} with DeletionProtection and DeletionProtectionDescription', async () => {
    const created = await createKey(api(), { Description: 'described' });
    const body = ok(await api().call('DescribeKey', { KeyId: created.KeyId }));
    assert.deepEqual(fieldsOf(body), ['KeyMetadata', 'RequestId']);
    assert.deepEqual(body.KeyMetadata, created);
    assert.equal(body.KeyMetadata.DeletionProtection, 'Disabled');
    assert.equal(body.KeyMetadata.DeletionProtectionDescription, '');
  });

  it('names the same key by its id, an alias, its Arn and its alias Arn, and always answers with the real KeyId', async () => {
    const created = await createKey(api());
    const aliasName = uniqueAlias('describe');
    await must(api(), 'CreateAlias', { AliasName: aliasName, KeyId: created.KeyId });
    const byId = (await must(api(), 'DescribeKey', { KeyId: created.KeyId })).KeyMetadata;
    assert.equal(byId.KeyId, created.KeyId);
    for (const reference of [aliasName, keyArnOf(api(), created.KeyId), `acs:kms:${api().region}:${api().accountId}:${aliasName}`]) {
      assert.deepEqual((await must(api(), 'DescribeKey', { KeyId: reference })).KeyMetadata, byId, reference);
    }
  });

  it('describes a Disabled key and a PendingDeletion key, with the DeleteDate of the pending window', async () => {
    const disabled = await createKey(api());
    await moveTo(api(), disabled.KeyId, 'Disabled');
    assert.equal((await must(api(), 'DescribeKey', { KeyId: disabled.KeyId })).KeyMetadata.KeyState, 'Disabled');
    const pending = await createKey(api());
    await moveTo(api(), pending.KeyId, 'PendingDeletion');
    const metadata = (await must(api(), 'DescribeKey', { KeyId: pending.KeyId })).KeyMetadata;
    assert.equal(metadata.KeyState, 'PendingDeletion');
    assert.equal(metadata.DeleteDate, wireTime(api().clock.now() + 7 * DAY_MS));
  });

  it('answers the same KeyMetadata when signed with HMAC-SHA1 over GET', async () => {
    const created = await createKey(api());
    const body = ok(await api().call('DescribeKey', { KeyId: created.KeyId }, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(body.KeyMetadata, created);
  });

  it('refuses a missing or empty KeyId with 400 MissingParameter KeyId', async () => {
    refused(await api().call('DescribeKey'), missing('KeyId'));
    refused(await api().call('DescribeKey', { KeyId: '' }), missing('KeyId'));
  });

  it('refuses an unknown key id, and an Arn of another account or region, with 404 Forbidden.KeyNotFound', async () => {
    const created = await createKey(api());
    for (const reference of [
      '00000000-0000-4000-8000-000000000000',
      'not-a-key',
      `acs:kms:${api().region}:999999:key/${created.KeyId}`,
      `acs:kms:cn-shanghai:${api().accountId}:key/${created.KeyId}`,
    ]) {
      refused(await api().call('DescribeKey', { KeyId: reference }), KEY_NOT_FOUND);
    }
  });

  it('refuses an alias that does not exist with 404 Forbidden.AliasNotFound', async () => {
    refused(await api().call('DescribeKey', { KeyId: 'alias/never-created' }), ALIAS_NOT_FOUND);
  });
});
