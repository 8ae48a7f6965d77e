import { AeadAuthenticationError } from '../crypto/aead.js';
import type { SecretSealer } from '../domain/ports.js';
import type { RootKey } from './root-key.js';

/**
 * Two root keys during a rotation (ADR 34): everything new is sealed under the current one, and a
 * value opens under either, so no key becomes unusable while `arca root-key rotate` re-seals the
 * stored values one by one. The previous key is tried only when the current one fails to
 * authenticate a value.
 */
export class RootKeyPair implements SecretSealer {
  readonly current: RootKey;
  readonly previous: RootKey;

  constructor(current: RootKey, previous: RootKey) {
    this.current = current;
    this.previous = previous;
  }

  seal(plaintext: Buffer, purpose: string, binding: string): Promise<Buffer> {
    return this.current.seal(plaintext, purpose, binding);
  }

  async open(sealed: Buffer, purpose: string, binding: string): Promise<Buffer> {
    try {
      return await this.current.open(sealed, purpose, binding);
    } catch (error) {
      if (!(error instanceof AeadAuthenticationError)) throw error;
      return this.previous.open(sealed, purpose, binding);
    }
  }

  /** Whether the current root key sealed `sealed` (for `purpose` and `binding`). */
  async sealedByCurrent(sealed: Buffer, purpose: string, binding: string): Promise<boolean> {
    try {
      (await this.current.open(sealed, purpose, binding)).fill(0);
      return true;
    } catch (error) {
      if (error instanceof AeadAuthenticationError) return false;
      throw error;
    }
  }
}
