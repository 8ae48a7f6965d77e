// Encrypt through inject(): §6.3 — KeyId, Plaintext (≤ 6 KB), EncryptionContext (JSON), DryRun;
// {CiphertextBlob, KeyId, KeyVersionId, RequestId} under the primary version. §5.2 blob layout,
// §5.3 Plaintext sealed as the UTF-8 bytes of the string given.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALIAS_NOT_FOUND,
  apiForFile,
  base64Bytes,
  BLOB_OVERHEAD,
  createKey,
  DRY_RUN,
  fieldsOf,
  invalid,
  KEY_NOT_FOUND,
  keyArnOf,
  missing,
  moveTo,
  must,
  ok,
  refused,
  REJECTED_DISABLED,
  REJECTED_PENDING_DELETION,
  REJECTED_PENDING_IMPORT,
} from './helpers.js';

let key: any;
const api = apiForFile(async (api) => {
  key = (await api.call('CreateKey')).json.KeyMetadata;
});

describe('Encrypt', () => {
  it('answers {CiphertextBlob, KeyId, KeyVersionId, RequestId} under the primary version; the blob starts with that version id', async () => {
    const body = ok(await api().call('Encrypt', { KeyId: key.KeyId, Plaintext: 'hello world' }));
    assert.deepEqual(fieldsOf(body), ['CiphertextBlob', 'KeyId', 'KeyVersionId', 'RequestId']);
    assert.equal(body.KeyId, key.KeyId);
    assert.equal(body.KeyVersionId, key.PrimaryKeyVersion);
    const blob = base64Bytes(body.CiphertextBlob);
    assert.equal(blob.toString('latin1', 0, 36), key.PrimaryKeyVersion);
    assert.equal(blob.length, BLOB_OVERHEAD + Buffer.byteLength('hello world'));
  });

  it('seals Plaintext as an opaque UTF-8 string that Decrypt returns unchanged, under AES and SM4 keys', async () => {
    const sm4 = await createKey(api(), { KeySpec: 'Aliyun_SM4' });
    for (const keyId of [key.KeyId, sm4.KeyId]) {
      for (const text of ['not base64!', '汉字 🔐 “quotes”', "a+b/c= d*()'!~ %41 & = ?", 'aGVsbG8=']) {
        const sealed = ok(await api().call('Encrypt', { KeyId: keyId, Plaintext: text }));
        assert.equal(base64Bytes(sealed.CiphertextBlob).length, BLOB_OVERHEAD + Buffer.byteLength(text, 'utf8'));
        assert.equal((await must(api(), 'Decrypt', { CiphertextBlob: sealed.CiphertextBlob })).Plaintext, text);
      }
    }
  });

  it('encrypts twice to different blobs (a fresh IV each time)', async () => {
    const a = ok(await api().call('Encrypt', { KeyId: key.KeyId, Plaintext: 'same' })).CiphertextBlob;
    const b = ok(await api().call('Encrypt', { KeyId: key.KeyId, Plaintext: 'same' })).CiphertextBlob;
    assert.notEqual(a, b);
  });

  it('names the key by alias or Arn and answers with the real KeyId', async () => {
    await must(api(), 'CreateAlias', { AliasName: 'alias/encrypt', KeyId: key.KeyId });
    for (const reference of ['alias/encrypt', keyArnOf(api(), key.KeyId)]) {
      assert.equal(ok(await api().call('Encrypt', { KeyId: reference, Plaintext: 'p' })).KeyId, key.KeyId);
    }
  });

  it('binds the EncryptionContext: Decrypt needs the same pairs, in any order', async () => {
    const blob = ok(
      await api().call('Encrypt', { KeyId: key.KeyId, Plaintext: 'bound', EncryptionContext: { tenant: 'acme', row: '17' } }),
    ).CiphertextBlob;
    assert.equal(
      (await must(api(), 'Decrypt', { CiphertextBlob: blob, EncryptionContext: '{"row":"17","tenant":"acme"}' })).Plaintext,
      'bound',
    );
    refused(await api().call('Decrypt', { CiphertextBlob: blob }), invalid('CiphertextBlob'));
  });

  it('answers the same shape when signed with HMAC-SHA1 over GET, with the flattened EncryptionContext.k=v form', async () => {
    const body = ok(
      await api().call(
        'Encrypt',
        { KeyId: key.KeyId, Plaintext: 'v1 GET', 'EncryptionContext.purpose': 'test' },
        { signature: 'HMAC-SHA1' },
      ),
    );
    assert.deepEqual(fieldsOf(body), ['CiphertextBlob', 'KeyId', 'KeyVersionId', 'RequestId']);
    assert.equal(
      (await must(api(), 'Decrypt', { CiphertextBlob: body.CiphertextBlob, EncryptionContext: { purpose: 'test' } })).Plaintext,
      'v1 GET',
    );
  });

  it('accepts 6144 UTF-8 bytes of Plaintext and refuses 6145 with InvalidParameter Plaintext', async () => {
    ok(await api().call('Encrypt', { KeyId: key.KeyId, Plaintext: '€'.repeat(2048) }));
    refused(await api().call('Encrypt', { KeyId: key.KeyId, Plaintext: `${'€'.repeat(2048)}x` }), invalid('Plaintext'));
  });

  it('refuses a missing KeyId or Plaintext with MissingParameter naming it', async () => {
    refused(await api().call('Encrypt', { Plaintext: 'x' }), missing('KeyId'));
    refused(await api().call('Encrypt', { KeyId: key.KeyId }), missing('Plaintext'));
  });

  it('refuses an EncryptionContext that is not a JSON object of strings with InvalidParameter EncryptionContext', async () => {
    for (const context of ['purpose=test', 'null', '[["a","b"]]', '{"a":1}', '{"a":{"b":"c"}}']) {
      refused(await api().call('Encrypt', { KeyId: key.KeyId, Plaintext: 'x', EncryptionContext: context }), invalid('EncryptionContext'));
    }
  });

  it('refuses an unknown key with 404 Forbidden.KeyNotFound and an unknown alias with 404 Forbidden.AliasNotFound', async () => {
    refused(await api().call('Encrypt', { KeyId: '00000000-0000-4000-8000-000000000000', Plaintext: 'x' }), KEY_NOT_FOUND);
    refused(await api().call('Encrypt', { KeyId: 'alias/missing', Plaintext: 'x' }), ALIAS_NOT_FOUND);
  });

  it('refuses a Disabled, a PendingDeletion and a PendingImport key with the 409 of its state', async () => {
    const disabled = await createKey(api());
    await moveTo(api(), disabled.KeyId, 'Disabled');
    refused(await api().call('Encrypt', { KeyId: disabled.KeyId, Plaintext: 'x' }), REJECTED_DISABLED);
    const pending = await createKey(api());
    await moveTo(api(), pending.KeyId, 'PendingDeletion');
    refused(await api().call('Encrypt', { KeyId: pending.KeyId, Plaintext: 'x' }), REJECTED_PENDING_DELETION);
    const external = await createKey(api(), { Origin: 'EXTERNAL' });
    refused(await api().call('Encrypt', { KeyId: external.KeyId, Plaintext: 'x' }), REJECTED_PENDING_IMPORT);
  });

  it('answers DryRun=true with 412 DryRunOperationError and no ciphertext; DryRun=false encrypts', async () => {
    refused(await api().call('Encrypt', { KeyId: key.KeyId, Plaintext: 'dry', DryRun: 'true' }), DRY_RUN);
    const wet = ok(await api().call('Encrypt', { KeyId: key.KeyId, Plaintext: 'wet', DryRun: 'false' }));
    assert.equal((await must(api(), 'Decrypt', { CiphertextBlob: wet.CiphertextBlob })).Plaintext, 'wet');
  });

  it('refuses a DryRun that is not a boolean with InvalidParameter DryRun', async () => {
    refused(await api().call('Encrypt', { KeyId: key.KeyId, Plaintext: 'x', DryRun: 'maybe' }), invalid('DryRun'));
  });
});
