import { createHmac, hkdfSync } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Aead } from '../crypto/aead.js';
import { createAes256Gcm } from '../crypto/aes-gcm.js';
import { SecretBytes } from '../crypto/secret-bytes.js';
import type { KeyedDigest, SecretSealer } from '../domain/ports.js';

export const ROOT_KEY_LENGTH = 32;
export const SEAL_FORMAT_VERSION = 1;

const DIGEST_KEY_INFO = 'arca-keyed-digest-v1';

/**
 * Arca's root key: AES-256-GCM over everything secret that Arca stores.
 *
 * Sealed layout, version 1:  version(1) = 0x01 ‖ iv(12) ‖ ciphertext ‖ tag(16)
 * Additional data:           "arca-seal-v1" ‖ 0x00 ‖ purpose ‖ 0x00 ‖ binding
 * where `binding` names the one record the value belongs to (for key material, the key version
 * id), so a sealed value moved to another record or purpose fails to open.
 */
export class RootKey implements SecretSealer, KeyedDigest {
  readonly #aead: Aead;
  readonly #digestKey: SecretBytes;

  private constructor(key: SecretBytes) {
    // HKDF-SHA-256 separates the digest key from the sealing key: one root secret, two keys
    // that never meet in one algorithm.
    this.#digestKey = SecretBytes.adopt(Buffer.from(hkdfSync('sha256', key.unsafeReveal(), Buffer.alloc(0), DIGEST_KEY_INFO, 32)));
    this.#aead = createAes256Gcm(key);
  }

  static fromSecret(key: SecretBytes): RootKey {
    if (key.lengthInBytes !== ROOT_KEY_LENGTH) throw new Error(`the root key must be ${ROOT_KEY_LENGTH} bytes`);
    return new RootKey(key);
  }

  /** A root key written as base64 of its 32 bytes (`ARCA_ROOT_KEY`, a plain key file); `source` names it in errors. */
  static fromBase64(text: string, source: string): RootKey {
    return RootKey.fromSecret(decodeRootKey(text, source));
  }

  async seal(plaintext: Buffer, purpose: string, binding: string): Promise<Buffer> {
    const sealed = await this.#aead.encrypt(plaintext, sealAdditionalData(purpose, binding));
    return Buffer.concat([Buffer.of(SEAL_FORMAT_VERSION), sealed]);
  }

  digest(data: Buffer, purpose: string, binding: string): Promise<Buffer> {
    return Promise.resolve(keyedDigest(this.#digestKey, data, purpose, binding));
  }

  /**
   * A copy of the digest key derived from this root key. Only for a root key rotation (ADR 34),
   * which keeps the digests of the data stable by storing this key sealed under the new root key.
   */
  exportDigestKeyInsecure(): Buffer {
    return Buffer.from(this.#digestKey.unsafeReveal());
  }

  /** Throws `AeadAuthenticationError` when the value was not sealed by this key for this use. */
  async open(sealed: Buffer, purpose: string, binding: string): Promise<Buffer> {
    if (sealed[0] !== SEAL_FORMAT_VERSION) throw new Error('unknown sealed-value format');
    return this.#aead.decrypt(sealed.subarray(1), sealAdditionalData(purpose, binding));
  }
}

/**
 * HMAC-SHA-256 under the digest key over "arca-digest-v1" ‖ 0x00 ‖ purpose ‖ 0x00 ‖ binding ‖
 * 0x00 ‖ data. Purpose and binding never contain NUL (they are fixed names and ids), so the
 * encoding is unambiguous.
 */
export function keyedDigest(key: SecretBytes, data: Buffer, purpose: string, binding: string): Buffer {
  return createHmac('sha256', key.unsafeReveal()).update(`arca-digest-v1\0${purpose}\0${binding}\0`, 'utf8').update(data).digest();
}

/** The additional data of a sealed value; the same whether the root key is a file or a token key. */
export function sealAdditionalData(purpose: string, binding: string): Buffer {
  return Buffer.from(`arca-seal-v1\0${purpose}\0${binding}`, 'utf8');
}

function decodeRootKey(text: string, source: string): SecretBytes {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== ROOT_KEY_LENGTH || bytes.toString('base64') !== text) {
    bytes.fill(0);
    throw new Error(`${source} must hold the base64 form of a ${ROOT_KEY_LENGTH}-byte key`);
  }
  return SecretBytes.adopt(bytes);
}

/** Creates `path` with mode 0600, failing if it exists (no window where it is world-readable). */
export function writeNewPrivateFile(path: string, contents: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, contents);
  } finally {
    closeSync(fd);
  }
}
