import { GCM_TAG_LENGTH } from '../../crypto/aead.js';
import { randomGcmIv } from '../../crypto/random-iv.js';
import { ProtectionKind, type ProtectedMaterial } from '../../domain/key.js';
import { KeySpec, profileOf } from '../../domain/key-spec.js';
import type { Handle } from './binding.js';
import { AES_KEY_WRAP_PAD, aesGcmMechanism } from './mechanisms.js';
import { wrappingKeyTemplate } from './templates.js';
import { createTokenKey, findTokenKeys, PerGeneration, type TokenKey } from './token-keys.js';
import type { TokenSession } from './token-session.js';
import { CHECK_PLAINTEXT_LENGTH, checkAdditionalData, encodeWrappedMaterial } from './wrapped-material.js';

export const DEFAULT_WRAPPING_KEY_LABEL = 'arca-wrapping-key';
// Room for an AES key wrapped with RFC 5649 (key length rounded up to 8, plus 8).
const MAX_WRAPPED_LENGTH_IN_BYTES = 64;

/**
 * The length of a key of `lengthInBytes` wrapped with CKM_AES_KEY_WRAP_PAD (RFC 5649): the token
 * does not report an unwrapped key's CKA_VALUE_LEN (SoftHSM2 says 0), so the wrapped length is
 * how Arca checks, without seeing the key, that a key in the token has the spec's length.
 */
function keyWrapPadLength(lengthInBytes: number): number {
  return 8 + Math.ceil(lengthInBytes / 8) * 8;
}

export const AES_256_WRAPPED_LENGTH = keyWrapPadLength(profileOf(KeySpec.Aes256).materialLengthInBytes);

/** A key in the token has a length other than its spec's (material brought in). */
export class WrongKeyLengthError extends Error {}

/**
 * The token-resident wrapping keys (docs/adr/0013), all labelled alike: the newest wraps new
 * version keys, and each older one keeps unwrapping what it wrapped. Their handles are looked up
 * once per connection generation.
 */
export class WrappingKeys {
  readonly label: string;
  readonly #keys = new PerGeneration<readonly TokenKey[]>();

  constructor(label: string) {
    this.label = label;
  }

  /** Creates the first wrapping key when the token holds none; true when it did. */
  async createIfMissing(session: TokenSession): Promise<boolean> {
    // Looked up afresh, not through the per-generation lookup: an empty answer must not be kept.
    if (findTokenKeys(session, this.label).length > 0) return false;
    await createTokenKey(session, wrappingKeyTemplate, this.label);
    return true;
  }

  /** The wrapping key whose CKA_ID is `id`, or undefined when the token holds none. */
  async withId(session: TokenSession, id: Buffer): Promise<TokenKey | undefined> {
    return (await this.#all(session)).find((key) => key.id.equals(id));
  }

  /**
   * Wraps the version key `makeKey` makes in the session, with a check value bound to
   * `keyVersionId`, and destroys it. `alsoUse` runs on the new key once its length is checked,
   * before it is destroyed. Throws `WrongKeyLengthError` when the key is not 32 bytes long.
   */
  async wrapNew(
    session: TokenSession,
    keyVersionId: string,
    makeKey: () => Promise<Handle>,
    alsoUse?: (key: Handle) => Promise<void>,
  ): Promise<ProtectedMaterial> {
    const wrappingKey = await this.#newest(session);
    const key = await makeKey();
    try {
      const wrapped = await session.wrapKey(AES_KEY_WRAP_PAD, wrappingKey.handle, key, MAX_WRAPPED_LENGTH_IN_BYTES);
      if (wrapped.length !== AES_256_WRAPPED_LENGTH) throw new WrongKeyLengthError('the key in the token is not 32 bytes long');
      if (alsoUse) await alsoUse(key);
      const checkIv = randomGcmIv();
      const check = await session.encrypt(
        aesGcmMechanism(checkIv, checkAdditionalData(keyVersionId)),
        key,
        Buffer.alloc(CHECK_PLAINTEXT_LENGTH),
        CHECK_PLAINTEXT_LENGTH + GCM_TAG_LENGTH,
      );
      const sealed = encodeWrappedMaterial({ wrappingKeyId: wrappingKey.id, wrapped, checkIv, check });
      return { kind: ProtectionKind.Pkcs11Wrapped, sealed };
    } finally {
      // The extractable object lives only for this call.
      session.destroyObject(key);
    }
  }

  async #newest(session: TokenSession): Promise<TokenKey> {
    const keys = await this.#all(session);
    const newest = keys[keys.length - 1];
    if (!newest) throw new Error(`the wrapping key "${this.label}" is missing from the token`);
    return newest;
  }

  #all(session: TokenSession): Promise<readonly TokenKey[]> {
    return this.#keys.get(session, () => Promise.resolve(findTokenKeys(session, this.label)));
  }
}
