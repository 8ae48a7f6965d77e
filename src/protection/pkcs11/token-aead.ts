import { type Aead, AeadAlgorithm, AeadAuthenticationError, GCM_IV_LENGTH, GCM_TAG_LENGTH } from '../../crypto/aead.js';
import { randomGcmIv } from '../../crypto/random-iv.js';
import type { Handle } from './binding.js';
import { aesGcmMechanism } from './mechanisms.js';
import type { TokenSession } from './token-session.js';

/**
 * How a TokenAead reaches its version's key: runs `use` on a session with the version's
 * unwrapped key handle held, so it stays valid for the whole operation.
 */
export type WithVersionKey = <T>(operation: string, use: (session: TokenSession, key: Handle) => Promise<T>) => Promise<T>;

/**
 * The Aead of one HSM key version: AES-256-GCM inside the token (CKM_AES_GCM, an IV Arca draws),
 * in the sealed layout iv(12) ‖ ciphertext ‖ tag(16) that software keys use, so blobs look the
 * same.
 */
export class TokenAead implements Aead {
  readonly algorithm = AeadAlgorithm.Aes256Gcm;
  readonly #withKey: WithVersionKey;

  constructor(withKey: WithVersionKey) {
    this.#withKey = withKey;
  }

  async encrypt(plaintext: Uint8Array, additionalData: Uint8Array): Promise<Buffer> {
    const iv = randomGcmIv();
    const mechanism = aesGcmMechanism(iv, additionalData);
    const output = await this.#withKey('encrypt', (session, key) =>
      session.encrypt(mechanism, key, Buffer.from(plaintext), plaintext.length + GCM_TAG_LENGTH),
    );
    return Buffer.concat([iv, output], iv.length + output.length);
  }

  async decrypt(sealed: Uint8Array, additionalData: Uint8Array): Promise<Buffer> {
    // Precondition: room for an IV and a tag, checked before any slicing.
    if (sealed.length < GCM_IV_LENGTH + GCM_TAG_LENGTH) throw new AeadAuthenticationError();
    const mechanism = aesGcmMechanism(sealed.subarray(0, GCM_IV_LENGTH), additionalData);
    const body = Buffer.from(sealed.subarray(GCM_IV_LENGTH));
    return this.#withKey('decrypt', (session, key) => session.decrypt(mechanism, key, body, body.length));
  }
}
