// Decrypt through inject(): §6.3 — CiphertextBlob, EncryptionContext, DryRun;
// {KeyId, KeyVersionId, Plaintext, RequestId}. Every blob that does not open (tampered, wrong
// context, garbage, truncated) gets the one opaque 400 InvalidParameter on CiphertextBlob.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { signAcs3 } from '../../support/acs3-signer.js';
import { ADMIN_CREDENTIALS, INJECT_HOST } from '../../support/inject-api.js';
import {
  apiForFile,
  createKey,
  DRY_RUN,
  encryptUnder,
  fieldsOf,
  flipBit,
  INVALID_CIPHERTEXT,
  invalid,
  KEY_NOT_FOUND,
  missing,
  moveTo,
  must,
  ok,
  refused,
  REJECTED_DISABLED,
  REJECTED_PENDING_DELETION,
} from './helpers.js';

let key: any;
let blob = '';
let boundBlob = '';
const api = apiForFile(async (api) => {
  key = (await api.call('CreateKey')).json.KeyMetadata;
  blob = await encryptUnder(api, key.KeyId, 'the plaintext');
  boundBlob = await encryptUnder(api, key.KeyId, 'bound plaintext', { a: '1', b: '2' });
});

describe('Decrypt', () => {
  it('answers {KeyId, KeyVersionId, Plaintext, RequestId} with the key and version the blob names', async () => {
    const body = ok(await api().call('Decrypt', { CiphertextBlob: blob }));
    assert.deepEqual(fieldsOf(body), ['KeyId', 'KeyVersionId', 'Plaintext', 'RequestId']);
    assert.deepEqual(body, {
      KeyId: key.KeyId,
      KeyVersionId: key.PrimaryKeyVersion,
      Plaintext: 'the plaintext',
      RequestId: body.RequestId,
    });
  });

  it('gives back a plaintext that starts with a byte order mark as it was, mark included', async () => {
    const withMark = '\uFEFFmarked';
    const sealed = await encryptUnder(api(), key.KeyId, withMark);
    const body = ok(await api().call('Decrypt', { CiphertextBlob: sealed }));
    assert.equal(body.Plaintext, withMark);
    assert.equal(body.PlaintextEncoding, undefined);
  });

  it('decrypts with the same encryption context in any key order or spacing; {} is no context', async () => {
    for (const context of ['{"b":"2","a":"1"}', '{ "a" : "1",\n "b": "2" }']) {
      assert.equal(ok(await api().call('Decrypt', { CiphertextBlob: boundBlob, EncryptionContext: context })).Plaintext, 'bound plaintext');
    }
    assert.equal(ok(await api().call('Decrypt', { CiphertextBlob: blob, EncryptionContext: {} })).Plaintext, 'the plaintext');
  });

  it('decrypts a blob of an earlier key version after rotation, naming that version', async () => {
    const { KeyId } = await createKey(api());
    const old = await must(api(), 'Encrypt', { KeyId, Plaintext: 'old version' });
    await must(api(), 'CreateKeyVersion', { KeyId });
    const body = ok(await api().call('Decrypt', { CiphertextBlob: old.CiphertextBlob }));
    assert.equal(body.Plaintext, 'old version');
    assert.equal(body.KeyVersionId, old.KeyVersionId);
  });

  it('answers the same body when signed with HMAC-SHA1 over GET, with the flattened EncryptionContext.k=v form', async () => {
    const body = ok(
      await api().call(
        'Decrypt',
        { CiphertextBlob: boundBlob, 'EncryptionContext.a': '1', 'EncryptionContext.b': '2' },
        { signature: 'HMAC-SHA1' },
      ),
    );
    assert.equal(body.Plaintext, 'bound plaintext');
    assert.equal(body.KeyId, key.KeyId);
  });

  it('refuses a blob with one bit flipped in the IV, the ciphertext or the tag with the opaque InvalidParameter CiphertextBlob', async () => {
    for (const index of [36, 48, 50, -1, -16])
      refused(await api().call('Decrypt', { CiphertextBlob: flipBit(blob, index) }), INVALID_CIPHERTEXT);
  });

  it("refuses a blob whose header was swapped for another key's version id with the same opaque error", async () => {
    const other = await createKey(api());
    const bytes = Buffer.from(blob, 'base64');
    bytes.write(other.PrimaryKeyVersion, 0, 'latin1');
    refused(await api().call('Decrypt', { CiphertextBlob: bytes.toString('base64') }), INVALID_CIPHERTEXT);
  });

  it('refuses a different, partial, extra or missing encryption context with the same opaque error', async () => {
    for (const context of [{ a: '1', b: '3' }, { a: '1' }, { a: '1', b: '2', c: '3' }, { ab: '12' }]) {
      refused(await api().call('Decrypt', { CiphertextBlob: boundBlob, EncryptionContext: context }), INVALID_CIPHERTEXT);
    }
    refused(await api().call('Decrypt', { CiphertextBlob: boundBlob }), INVALID_CIPHERTEXT);
    refused(await api().call('Decrypt', { CiphertextBlob: blob, EncryptionContext: { a: '1' } }), INVALID_CIPHERTEXT);
  });

  it('refuses a context with a lone surrogate or a repeated key with InvalidParameter EncryptionContext: {"k":"\\ud800"} opened what {"k":"\\ufffd"} sealed, and {"a":"1","a":"2"} what {"a":"2"} sealed', async () => {
    const replacementBlob = await encryptUnder(api(), key.KeyId, 'sealed under U+FFFD', { k: '\ufffd' });
    // JSON.stringify writes the lone surrogate as the escape \ud800, as a client's JSON would.
    refused(
      await api().call('Decrypt', { CiphertextBlob: replacementBlob, EncryptionContext: { k: '\ud800' } }),
      invalid('EncryptionContext'),
    );
    refused(
      await api().call('Decrypt', { CiphertextBlob: replacementBlob, EncryptionContext: '{"\\udfff":"x","k":"\\ufffd"}' }),
      invalid('EncryptionContext'),
    );
    assert.equal(
      ok(await api().call('Decrypt', { CiphertextBlob: replacementBlob, EncryptionContext: { k: '\ufffd' } })).Plaintext,
      'sealed under U+FFFD',
    );

    const lastWins = await encryptUnder(api(), key.KeyId, 'sealed under a=2', { a: '2' });
    for (const context of ['{"a":"1","a":"2"}', '{"a":"2","a":"2"}', '{"a":"2","\\u0061":"2"}']) {
      refused(await api().call('Decrypt', { CiphertextBlob: lastWins, EncryptionContext: context }), invalid('EncryptionContext'));
    }
    assert.equal(
      ok(await api().call('Decrypt', { CiphertextBlob: lastWins, EncryptionContext: '{"a":"2"}' })).Plaintext,
      'sealed under a=2',
    );
  });

  it('refuses a flattened EncryptionContext.k given twice with InvalidParameter naming it (no last one wins there either)', async () => {
    const request = signAcs3({
      credentials: ADMIN_CREDENTIALS,
      host: INJECT_HOST,
      action: 'Decrypt',
      date: api().clock.now(),
      query: [
        ['CiphertextBlob', boundBlob],
        ['EncryptionContext.a', '1'],
        ['EncryptionContext.a', '1'],
        ['EncryptionContext.b', '2'],
      ],
    });
    refused(await api().send(request), invalid('EncryptionContext.a'));
  });

  it('refuses garbage, non-canonical base64 and truncated blobs with the same opaque error', async () => {
    const bytes = Buffer.from(blob, 'base64');
    for (const garbage of [
      'not base64 at all',
      `${blob}=`,
      blob.slice(0, -4),
      bytes.subarray(0, 63).toString('base64'),
      Buffer.alloc(80).toString('base64'),
    ]) {
      refused(await api().call('Decrypt', { CiphertextBlob: garbage }), INVALID_CIPHERTEXT);
    }
  });

  it('refuses a well-formed blob naming a key version that does not exist with 404 Forbidden.KeyNotFound', async () => {
    const bytes = Buffer.from(blob, 'base64');
    bytes.write(randomUUID(), 0, 'latin1');
    refused(await api().call('Decrypt', { CiphertextBlob: bytes.toString('base64') }), KEY_NOT_FOUND);
  });

  it('refuses a missing CiphertextBlob with MissingParameter CiphertextBlob', async () => {
    refused(await api().call('Decrypt'), missing('CiphertextBlob'));
  });

  it('refuses a blob of a Disabled key with 409 Rejected.Disabled and of a PendingDeletion key with 409 Rejected.PendingDeletion', async () => {
    const disabled = await createKey(api());
    const sealed = await encryptUnder(api(), disabled.KeyId, 'x');
    await moveTo(api(), disabled.KeyId, 'Disabled');
    refused(await api().call('Decrypt', { CiphertextBlob: sealed }), REJECTED_DISABLED);
    const pending = await createKey(api());
    const sealedPending = await encryptUnder(api(), pending.KeyId, 'x');
    await moveTo(api(), pending.KeyId, 'PendingDeletion');
    refused(await api().call('Decrypt', { CiphertextBlob: sealedPending }), REJECTED_PENDING_DELETION);
  });

  it('answers DryRun=true with 412 DryRunOperationError only for a blob that opens: a wrong context still gets the opaque error', async () => {
    refused(await api().call('Decrypt', { CiphertextBlob: blob, DryRun: true }), DRY_RUN);
    refused(await api().call('Decrypt', { CiphertextBlob: boundBlob, EncryptionContext: { a: 'x' }, DryRun: true }), INVALID_CIPHERTEXT);
    refused(await api().call('Decrypt', { CiphertextBlob: flipBit(blob, -1), DryRun: true }), INVALID_CIPHERTEXT);
  });
});
