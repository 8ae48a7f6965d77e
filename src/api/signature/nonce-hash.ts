import { createHash, randomBytes } from 'node:crypto';

const KEY_LENGTH = 16;

/**
 * A keyed 64-bit hash of an (access key id, nonce) pair, for the replay guard's tables: the first
 * 8 bytes of SHA-256( key ‖ message ), with a random 16-byte key per instance.
 *
 * The message encodes the pair without ambiguity: the decimal length of the access key id, a
 * colon, then the UTF-16LE code units of the id and the nonce. The length keeps ('a:b', 'c')
 * apart from ('a', 'b:c'); code units (not UTF-8) keep two different lone surrogates apart.
 *
 * With the key secret — it never leaves the server except in the 0600 shutdown snapshot in the
 * 0700 data directory — nobody can choose nonces that collide or crowd one part of a table.
 * A native digest costs one or two microseconds per request: nothing beside the request itself.
 */
export class NonceHasher {
  readonly #key: Buffer;

  /** `key`: 16 bytes; a fresh random key by default. */
  constructor(key: Uint8Array = randomBytes(KEY_LENGTH)) {
    if (key.length !== KEY_LENGTH) throw new RangeError(`a nonce hash key is ${KEY_LENGTH} bytes`);
    this.#key = Buffer.from(key);
  }

  /**
   * A copy of the key, for the replay guard's shutdown snapshot only (see `ReplayGuard`): a guard
   * restored from it must hash pairs exactly as the guard that recorded them.
   */
  exportKey(): Buffer {
    return Buffer.from(this.#key);
  }

  /** Writes the 64-bit hash of the pair to `out`: `out[0]` the high 32 bits, `out[1]` the low. */
  hash(accessKeyId: string, nonce: string, out: Uint32Array): void {
    const digest = createHash('sha256').update(this.#key).update(`${accessKeyId.length}:${accessKeyId}${nonce}`, 'utf16le').digest();
    out[0] = digest.readUInt32BE(0);
    out[1] = digest.readUInt32BE(4);
  }
}
