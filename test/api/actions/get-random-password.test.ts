// GetRandomPassword through inject(): §6.7 — PasswordLength ("8"–"128", default 32),
// ExcludeCharacters, Exclude{Lowercase,Uppercase,Numbers,Punctuation}, RequireEachIncludedType
// ("true"/"false"); {RandomPassword, RequestId}.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiForFile, fieldsOf, invalid, ok, refused } from './helpers.js';

const api = apiForFile();

async function password(params: Record<string, string> = {}): Promise<string> {
  return ok(await api().call('GetRandomPassword', params)).RandomPassword;
}

describe('GetRandomPassword', () => {
  it('answers {RandomPassword, RequestId} with 32 printable ASCII characters by default, different each time', async () => {
    const body = ok(await api().call('GetRandomPassword'));
    assert.deepEqual(fieldsOf(body), ['RandomPassword', 'RequestId']);
    assert.match(body.RandomPassword, /^[\x21-\x7e]{32}$/);
    assert.notEqual(await password(), body.RandomPassword);
  });

  it('honours PasswordLength from 8 to 128', async () => {
    for (const length of ['8', '57', '128']) assert.equal((await password({ PasswordLength: length })).length, Number(length));
  });

  it('leaves out excluded classes and excluded characters', async () => {
    assert.match(
      await password({ PasswordLength: '128', ExcludeLowercase: 'true', ExcludeUppercase: 'true', ExcludePunctuation: 'true' }),
      /^[0-9]{128}$/,
    );
    assert.match(await password({ PasswordLength: '128', ExcludeNumbers: 'true', ExcludePunctuation: 'true' }), /^[A-Za-z]{128}$/);
    const without = await password({ PasswordLength: '128', ExcludeCharacters: 'abcdefghijklmABCDEFGHIJKLM0123456789!@#$%' });
    assert.equal(without.length, 128);
    assert.doesNotMatch(without, /[a-mA-M0-9!@#$%]/);
  });

  it('includes one character of every included class when RequireEachIncludedType is true', async () => {
    for (let i = 0; i < 10; i++) {
      const value = await password({ PasswordLength: '8', RequireEachIncludedType: 'true', ExcludePunctuation: 'true' });
      for (const klass of [/[a-z]/, /[A-Z]/, /[0-9]/]) assert.match(value, klass, value);
      assert.match(value, /^[A-Za-z0-9]{8}$/);
    }
  });

  it('answers the same shape when signed with HMAC-SHA1 over GET', async () => {
    const body = ok(await api().call('GetRandomPassword', { PasswordLength: '16' }, { signature: 'HMAC-SHA1' }));
    assert.deepEqual(fieldsOf(body), ['RandomPassword', 'RequestId']);
    assert.equal(body.RandomPassword.length, 16);
  });

  it('refuses a PasswordLength outside 8–128 or not an integer with InvalidParameter PasswordLength', async () => {
    for (const length of ['7', '129', '0', '12.5', 'long']) {
      refused(await api().call('GetRandomPassword', { PasswordLength: length }), invalid('PasswordLength'));
    }
  });

  it('refuses excluding every character with InvalidParameter ExcludeCharacters', async () => {
    refused(
      await api().call('GetRandomPassword', {
        ExcludeLowercase: 'true',
        ExcludeUppercase: 'true',
        ExcludeNumbers: 'true',
        ExcludePunctuation: 'true',
      }),
      invalid('ExcludeCharacters'),
    );
    refused(
      await api().call('GetRandomPassword', {
        ExcludeLowercase: 'true',
        ExcludeUppercase: 'true',
        ExcludePunctuation: 'true',
        ExcludeCharacters: '0123456789',
      }),
      invalid('ExcludeCharacters'),
    );
  });

  it('refuses an Exclude… or RequireEachIncludedType value that is not true/false with InvalidParameter naming it', async () => {
    for (const name of ['ExcludeLowercase', 'ExcludeUppercase', 'ExcludeNumbers', 'ExcludePunctuation', 'RequireEachIncludedType']) {
      refused(await api().call('GetRandomPassword', { [name]: 'yes' }), invalid(name));
    }
  });
});
