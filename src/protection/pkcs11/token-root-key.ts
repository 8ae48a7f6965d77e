import type { Logger } from 'pino';
import { AeadAuthenticationError, GCM_IV_LENGTH, GCM_TAG_LENGTH } from '../../crypto/aead.js';
import { randomGcmIv } from '../../crypto/random-iv.js';
import type { SecretSealer } from '../../domain/ports.js';
import { SEAL_FORMAT_VERSION, sealAdditionalData } from '../root-key.js';
import { aesGcmMechanism } from './mechanisms.js';
import type { Pkcs11Token } from './pkcs11-token.js';
import { rootKeyTemplate } from './templates.js';
import { assertKeyStaysInToken, createTokenKey, findTokenKeys, PerGeneration, type TokenKey } from './token-keys.js';
import type { TokenSession } from './token-session.js';

/**
 * The root key held in a PKCS#11 token (`--pkcs11-root-key-label`): a sensitive,
 * non-extractable AES-256 token key, created on first start, that seals and opens with
 * CKM_AES_GCM inside the token. Sealed values have exactly the layout and additional data of
 * the file root key (ADR 6): 0x01 ‖ iv(12) ‖ ciphertext ‖ tag(16).
 */
export class TokenRootKey implements SecretSealer {
  readonly #token: Pkcs11Token;
  readonly #label: string;
  readonly #key = new PerGeneration<TokenKey>();

  private constructor(token: Pkcs11Token, label: string) {
    this.#token = token;
    this.#label = label;
  }

  /**
   * Finds the root key labelled `label` in the token, generating it there when there is none.
   * Refuses one whose value could leave the token (extractable, or not sensitive).
   */
  static async findOrCreate(token: Pkcs11Token, label: string, logger: Logger): Promise<{ rootKey: TokenRootKey; created: boolean }> {
    if (label === '') throw new Error('the PKCS#11 root key label is empty');
    const rootKey = new TokenRootKey(token, label);
    const created = await token.run('find or create the root key', async (session) => {
      const found = findTokenKeys(session, label);
      if (found.length > 1) throw new Error(`the token holds ${found.length} keys labelled "${label}"; the root key must be one`);
      const [existing] = found;
      if (existing) {
        assertKeyStaysInToken(session, existing, `root key "${label}"`);
        return false;
      }
      await createTokenKey(session, rootKeyTemplate, label);
      return true;
    });
    if (created) logger.info({ tokenLabel: token.tokenLabel, label }, 'created the root key in the token');
    return { rootKey, created };
  }

  async seal(plaintext: Buffer, purpose: string, binding: string): Promise<Buffer> {
    const iv = randomGcmIv();
    const mechanism = aesGcmMechanism(iv, sealAdditionalData(purpose, binding));
    const output = await this.#token.run('seal', async (session) =>
      session.encrypt(mechanism, (await this.#handle(session)).handle, plaintext, plaintext.length + GCM_TAG_LENGTH),
    );
    return Buffer.concat([Buffer.of(SEAL_FORMAT_VERSION), iv, output]);
  }

  /** Throws `AeadAuthenticationError` when the value was not sealed by this key for this use. */
  async open(sealed: Buffer, purpose: string, binding: string): Promise<Buffer> {
    if (sealed[0] !== SEAL_FORMAT_VERSION) throw new Error('unknown sealed-value format');
    // Precondition: room for the version byte, an IV and a tag, checked before any slicing.
    if (sealed.length < 1 + GCM_IV_LENGTH + GCM_TAG_LENGTH) throw new AeadAuthenticationError();
    const mechanism = aesGcmMechanism(sealed.subarray(1, 1 + GCM_IV_LENGTH), sealAdditionalData(purpose, binding));
    const body = Buffer.from(sealed.subarray(1 + GCM_IV_LENGTH));
    return this.#token.run('open a sealed value', async (session) =>
      session.decrypt(mechanism, (await this.#handle(session)).handle, body, body.length),
    );
  }

  #handle(session: TokenSession): Promise<TokenKey> {
    return this.#key.get(session, () => {
      const [key] = findTokenKeys(session, this.#label);
      if (!key) return Promise.reject(new Error(`the root key "${this.#label}" is missing from the token`));
      return Promise.resolve(key);
    });
  }
}
