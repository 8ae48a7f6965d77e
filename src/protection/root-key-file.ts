import { readFileSync, statSync } from 'node:fs';
import { SecretBytes } from '../crypto/secret-bytes.js';
import { isPassphraseSealed, openSealedRootKey } from './passphrase-sealed-key.js';
import { ROOT_KEY_LENGTH, RootKey, writeNewPrivateFile } from './root-key.js';

/** Gives the passphrase of the passphrase-protected key file at `path` (asked only when the file is one). */
export type PassphraseSource = (path: string) => Promise<string>;

/**
 * A root key file: plain (the base64 of the 32 bytes, one line) or passphrase-protected (ADR 34),
 * told apart by their first character. Refused when other users can read it.
 */
export async function readRootKeyFile(path: string, passphrase: PassphraseSource): Promise<RootKey> {
  assertPrivateFile(path);
  const text = readFileSync(path, 'utf8');
  if (!isPassphraseSealed(text)) return RootKey.fromBase64(text.trim(), path);
  return RootKey.fromSecret(await openSealedRootKey(text, await passphrase(path), path));
}

/** Creates a new plain root key file (mode 0600, failing if the file exists) and gives its key. */
export function createPlainRootKeyFile(path: string): RootKey {
  const key = SecretBytes.random(ROOT_KEY_LENGTH);
  writeNewPrivateFile(path, `${key.unsafeReveal().toString('base64')}\n`);
  return RootKey.fromSecret(key);
}

/** A key or passphrase file others can read is no secret: refuse to use it rather than pretend. */
export function assertPrivateFile(path: string): void {
  if ((statSync(path).mode & 0o077) !== 0) {
    throw new Error(`${path} is readable by other users; make it private (chmod 600) before starting`);
  }
}
