// A root key file protected by a passphrase (ADR 34): the 32-byte root key sealed with AES-256-GCM
// under a key derived from the passphrase with scrypt, the derivation's parameters in the file.
//
//   { "format": "arca-root-key", "version": 1,
//     "kdf": { "name": "scrypt", "n": 131072, "r": 8, "p": 1, "salt": base64(16) },
//     "sealed": base64( iv(12) ‖ ciphertext(32) ‖ tag(16) ) }
//
// Additional data: "arca-root-key-v1" ‖ 0x00 ‖ "scrypt" ‖ 0x00 ‖ n ‖ 0x00 ‖ r ‖ 0x00 ‖ p ‖ 0x00 ‖ salt
// (the numbers in decimal, the salt in base64), so a file whose parameters were changed fails to
// open as a wrong passphrase does.
import { randomBytes, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import { AeadAuthenticationError } from '../crypto/aead.js';
import { createAes256Gcm } from '../crypto/aes-gcm.js';
import { SecretBytes } from '../crypto/secret-bytes.js';

export interface ScryptParameters {
  /** CPU and memory cost, a power of two. */
  readonly n: number;
  readonly r: number;
  readonly p: number;
}

/** 2^17 × 8 × 128 bytes = 128 MiB and about half a second per unlock: RFC 7914's interactive advice, doubled. */
export const DEFAULT_SCRYPT: ScryptParameters = { n: 2 ** 17, r: 8, p: 1 };
// A file is read before its passphrase is known to be right: bound the work a file can ask for.
const MIN_N = 2 ** 14;
const MAX_N = 2 ** 22;
const MAX_MEMORY_BYTES = 1024 * 1024 * 1024;
const SALT_LENGTH = 16;
/** Only for new files: a file made elsewhere opens whatever its passphrase. */
export const MIN_PASSPHRASE_LENGTH = 12;
const KEY_LENGTH = 32;

/** The passphrase is wrong, or the file was changed: the two cannot be told apart. */
export class WrongPassphraseError extends Error {
  constructor(path: string) {
    super(`the passphrase does not open ${path} (a wrong passphrase, or the file was changed)`);
    this.name = 'WrongPassphraseError';
  }
}

/** Whether a root key file's text is a passphrase-sealed key (a plain one is base64). */
export function isPassphraseSealed(text: string): boolean {
  return text.trimStart().startsWith('{');
}

function scrypt(passphrase: Buffer, salt: Buffer, parameters: ScryptParameters): Promise<Buffer> {
  const options: ScryptOptions = {
    N: parameters.n,
    r: parameters.r,
    p: parameters.p,
    maxmem: 128 * parameters.n * parameters.r * parameters.p + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scryptCallback(passphrase, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function additionalData(parameters: ScryptParameters, salt: string): Buffer {
  return Buffer.from(`arca-root-key-v1\0scrypt\0${parameters.n}\0${parameters.r}\0${parameters.p}\0${salt}`, 'utf8');
}

async function withDerivedKey<T>(
  passphrase: string,
  salt: Buffer,
  parameters: ScryptParameters,
  use: (key: SecretBytes) => Promise<T>,
): Promise<T> {
  const passphraseBytes = Buffer.from(passphrase, 'utf8');
  const key = SecretBytes.adopt(await scrypt(passphraseBytes, salt, parameters));
  passphraseBytes.fill(0);
  try {
    return await use(key);
  } finally {
    key.wipe();
  }
}

/** The file's text for `rootKey` sealed under `passphrase`. */
export async function sealRootKey(
  rootKey: SecretBytes,
  passphrase: string,
  parameters: ScryptParameters = DEFAULT_SCRYPT,
): Promise<string> {
  checkParameters(parameters, 'the scrypt parameters');
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) throw new Error(`a passphrase has at least ${MIN_PASSPHRASE_LENGTH} characters`);
  const salt = randomBytes(SALT_LENGTH);
  const saltText = salt.toString('base64');
  const sealed = await withDerivedKey(passphrase, salt, parameters, (key) =>
    createAes256Gcm(key).encrypt(rootKey.unsafeReveal(), additionalData(parameters, saltText)),
  );
  const document = {
    format: 'arca-root-key',
    version: 1,
    kdf: { name: 'scrypt', n: parameters.n, r: parameters.r, p: parameters.p, salt: saltText },
    sealed: sealed.toString('base64'),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Opens a passphrase-sealed root key file's text; `path` only names the file in messages. */
export async function openSealedRootKey(text: string, passphrase: string, path: string): Promise<SecretBytes> {
  const { parameters, salt, sealed } = parseSealedFile(text, path);
  try {
    const opened = await withDerivedKey(passphrase, Buffer.from(salt, 'base64'), parameters, (key) =>
      createAes256Gcm(key).decrypt(sealed, additionalData(parameters, salt)),
    );
    if (opened.length !== KEY_LENGTH) throw new Error(`${path} holds no ${KEY_LENGTH}-byte root key`);
    return SecretBytes.adopt(opened);
  } catch (error) {
    if (error instanceof AeadAuthenticationError) throw new WrongPassphraseError(path);
    throw error;
  }
}

function parseSealedFile(text: string, path: string): { parameters: ScryptParameters; salt: string; sealed: Buffer } {
  const bad = (what: string): Error => new Error(`${path} is not a passphrase-protected Arca root key file (${what})`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (typeof document !== 'object' || document === null) throw bad('not an object');
  const fields = document as Record<string, unknown>;
  if (fields.format !== 'arca-root-key' || fields.version !== 1) throw bad('not format arca-root-key, version 1');
  const kdf = fields.kdf;
  if (typeof kdf !== 'object' || kdf === null) throw bad('no kdf');
  const { name, n, r, p, salt } = kdf as Record<string, unknown>;
  if (name !== 'scrypt') throw bad(`an unknown key derivation, ${String(name)}`);
  if (typeof n !== 'number' || typeof r !== 'number' || typeof p !== 'number') throw bad('scrypt parameters that are not numbers');
  const parameters = { n, r, p };
  checkParameters(parameters, path);
  if (typeof salt !== 'string' || Buffer.from(salt, 'base64').length !== SALT_LENGTH) throw bad(`no ${SALT_LENGTH}-byte salt`);
  if (typeof fields.sealed !== 'string') throw bad('no sealed key');
  return { parameters, salt, sealed: Buffer.from(fields.sealed, 'base64') };
}

function checkParameters({ n, r, p }: ScryptParameters, what: string): void {
  const powerOfTwo = Number.isInteger(n) && n >= MIN_N && n <= MAX_N && (n & (n - 1)) === 0;
  const positive = Number.isInteger(r) && Number.isInteger(p) && r >= 1 && p >= 1;
  if (!powerOfTwo || !positive || 128 * n * r * p > MAX_MEMORY_BYTES) {
    throw new Error(`${what}: scrypt's n must be a power of two from 2^14 to 2^22, r and p at least 1, and 128·n·r·p at most 1 GiB`);
  }
}
