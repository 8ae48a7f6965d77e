import { randomBytes, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

const REDACTED = 'SecretBytes(<redacted>)';

/**
 * Key material. It will not print, serialise or inspect: `String()`, `JSON.stringify`,
 * `util.inspect` and template literals all give a redacted marker. The bytes are reachable only
 * through `unsafeReveal()`, whose name makes every use easy to find in review.
 *
 * `wipe()` overwrites the buffer with zeros; JavaScript cannot guarantee that no copy exists
 * elsewhere (the garbage collector may have moved it), so wiping reduces exposure, nothing more.
 */
export class SecretBytes {
  readonly #bytes: Buffer;
  #wiped = false;

  private constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  /** Takes ownership of `bytes`: the caller must not keep or reuse the buffer. */
  static adopt(bytes: Buffer): SecretBytes {
    return new SecretBytes(bytes);
  }

  /** Copies `bytes`, so the caller may wipe its own buffer afterwards. */
  static copyOf(bytes: Uint8Array): SecretBytes {
    return new SecretBytes(Buffer.from(bytes));
  }

  static random(lengthInBytes: number): SecretBytes {
    return new SecretBytes(randomBytes(lengthInBytes));
  }

  get lengthInBytes(): number {
    return this.#bytes.length;
  }

  /** The raw bytes. Never log, store or return them; do not keep the reference. */
  unsafeReveal(): Buffer {
    if (this.#wiped) throw new Error('SecretBytes used after wipe');
    return this.#bytes;
  }

  /** Constant-time comparison (lengths are not secret). */
  equals(other: SecretBytes): boolean {
    const a = this.unsafeReveal();
    const b = other.unsafeReveal();
    return a.length === b.length && timingSafeEqual(a, b);
  }

  wipe(): void {
    this.#bytes.fill(0);
    this.#wiped = true;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
