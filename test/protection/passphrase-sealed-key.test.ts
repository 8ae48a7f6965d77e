// The passphrase-protected root key file (ADR 34): scrypt parameters recorded in the file and
// bound to the sealed key, a wrong passphrase or a changed file refused alike.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import {
  DEFAULT_SCRYPT,
  isPassphraseSealed,
  openSealedRootKey,
  sealRootKey,
  WrongPassphraseError,
} from '../../src/protection/passphrase-sealed-key.js';

const PASSPHRASE = 'correct horse battery staple';
// The smallest parameters a file may hold: the tests need not spend 128 MiB per derivation.
const FAST = { n: 2 ** 14, r: 8, p: 1 };

describe('a passphrase-protected root key file', () => {
  it('opens to the very key it sealed, with the default parameters recorded in the file', async () => {
    const key = SecretBytes.random(32);
    const text = await sealRootKey(key, PASSPHRASE);
    const document = JSON.parse(text);
    assert.equal(document.format, 'arca-root-key');
    assert.equal(document.version, 1);
    assert.deepEqual(
      { name: document.kdf.name, n: document.kdf.n, r: document.kdf.r, p: document.kdf.p },
      { name: 'scrypt', ...DEFAULT_SCRYPT },
    );
    assert.equal(Buffer.from(document.kdf.salt, 'base64').length, 16);
    assert.ok(isPassphraseSealed(text));
    assert.ok(!isPassphraseSealed(`${key.unsafeReveal().toString('base64')}\n`));
    const opened = await openSealedRootKey(text, PASSPHRASE, 'root.key');
    assert.ok(opened.unsafeReveal().equals(key.unsafeReveal()));
  });

  it('holds the key neither raw, nor in base64 or hex', async () => {
    const key = SecretBytes.random(32);
    const text = await sealRootKey(key, PASSPHRASE, FAST);
    for (const form of ['base64', 'hex'] as const) assert.ok(!text.includes(key.unsafeReveal().toString(form)));
    assert.ok(!Buffer.from(text).includes(key.unsafeReveal()));
  });

  it('two files of one key and one passphrase differ (a fresh salt and IV each)', async () => {
    const key = SecretBytes.random(32);
    assert.notEqual(await sealRootKey(key, PASSPHRASE, FAST), await sealRootKey(key, PASSPHRASE, FAST));
  });

  it('a wrong passphrase is refused, naming the file and not the passphrase', async () => {
    const text = await sealRootKey(SecretBytes.random(32), PASSPHRASE, FAST);
    await assert.rejects(openSealedRootKey(text, 'correct horse battery stapler', '/etc/arca/root.key'), (error: unknown) => {
      assert.ok(error instanceof WrongPassphraseError);
      assert.match(error.message, /^the passphrase does not open \/etc\/arca\/root\.key/);
      assert.ok(!error.message.includes('correct horse'));
      return true;
    });
  });

  it('a changed parameter, salt or sealed key is refused like a wrong passphrase', async () => {
    const text = await sealRootKey(SecretBytes.random(32), PASSPHRASE, FAST);
    const changes: Array<(document: any) => void> = [
      (document) => (document.kdf.r = 9),
      (document) => (document.kdf.p = 2),
      (document) => (document.kdf.salt = Buffer.alloc(16, 7).toString('base64')),
      (document) => {
        const sealed = Buffer.from(document.sealed, 'base64');
        sealed[20] = (sealed[20] ?? 0) ^ 1;
        document.sealed = sealed.toString('base64');
      },
    ];
    for (const change of changes) {
      const document = JSON.parse(text);
      change(document);
      await assert.rejects(openSealedRootKey(JSON.stringify(document), PASSPHRASE, 'root.key'), WrongPassphraseError);
    }
  });

  it('refuses a file asking for work out of bounds, or not of its format, before deriving anything', async () => {
    const text = await sealRootKey(SecretBytes.random(32), PASSPHRASE, FAST);
    const cases: Array<[(document: any) => void, RegExp]> = [
      [(document) => (document.kdf.n = 2 ** 30), /n must be a power of two from 2\^14 to 2\^22/],
      [(document) => (document.kdf.n = 3 * 2 ** 14), /n must be a power of two/],
      [(document) => (document.kdf.r = 0), /r and p at least 1/],
      [(document) => (document.kdf.n = 2 ** 22), /at most 1 GiB/],
      [(document) => (document.kdf.name = 'pbkdf2'), /an unknown key derivation, pbkdf2/],
      [(document) => (document.version = 2), /not format arca-root-key, version 1/],
      [(document) => (document.kdf.salt = 'c2FsdA=='), /no 16-byte salt/],
    ];
    for (const [change, message] of cases) {
      const document = JSON.parse(text);
      change(document);
      await assert.rejects(openSealedRootKey(JSON.stringify(document), PASSPHRASE, 'root.key'), message);
    }
    await assert.rejects(openSealedRootKey('{ not json', PASSPHRASE, 'root.key'), /not JSON/);
  });

  it('a new file needs a passphrase of at least 12 characters', async () => {
    await assert.rejects(sealRootKey(SecretBytes.random(32), 'short', FAST), /at least 12 characters/);
    await assert.rejects(sealRootKey(SecretBytes.random(32), PASSPHRASE, { n: 1000, r: 8, p: 1 }), /power of two/);
  });
});
