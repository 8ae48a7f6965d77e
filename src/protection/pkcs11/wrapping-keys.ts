import { AeadAuthenticationError, GCM_TAG_LENGTH } from '../../crypto/aead.js';
import { randomGcmIv } from '../../crypto/random-iv.js';
import { ProtectionKind, type ProtectedMaterial } from '../../domain/key.js';
import { KeySpec, profileOf } from '../../domain/key-spec.js';
import { ck, returnValueOf, type Handle } from './binding.js';
import { AES_KEY_GEN, AES_KEY_WRAP_PAD, aesGcmMechanism } from './mechanisms.js';
import { probeKeyTemplate, readableKeyTemplate, rewrappedVersionKeyTemplate, wrappingKeyTemplate, type WrapOnce } from './templates.js';
import { assertKeyStaysInToken, createTokenKey, findTokenKeys, PerGeneration, readFlags, type TokenKey } from './token-keys.js';
import type { TokenSession } from './token-session.js';
import { CHECK_PLAINTEXT_LENGTH, checkAdditionalData, encodeWrappedMaterial, type WrappedMaterial } from './wrapped-material.js';

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

/** A wrapping key as Arca found it in the token. */
export interface WrappingKey extends TokenKey {
  /**
   * Made as `wrappingKeyTemplate` makes one: with the unwrap template of version keys,
   * unmodifiable, uncopyable, neither encrypting nor decrypting; and the token refused to unwrap
   * a readable key with it. Only a guarded key wraps. A legacy key (made before issue 16) only
   * unwraps what it wrapped, until its versions are wrapped again (`rewrap`).
   */
  readonly guarded: boolean;
  /** CKA_TRUSTED (only the SO can set it): the version keys it wraps are CKA_WRAP_WITH_TRUSTED. */
  readonly trusted: boolean;
}

/** What `prepare` found: whether it made a guarded key, and the legacy keys still in the token. */
export interface WrappingKeysReady {
  readonly created: boolean;
  readonly legacy: readonly WrappingKey[];
}

/** Return values of C_UnwrapKey that mean the token held the unwrapping key to its unwrap template. */
const TEMPLATE_REFUSED = new Set<number>([ck.CKR_TEMPLATE_INCONSISTENT, ck.CKR_ATTRIBUTE_VALUE_INVALID]);

/**
 * The token-resident wrapping keys (docs/adr/0013), all labelled alike: the newest guarded one
 * wraps new version keys, and each older one keeps unwrapping what it wrapped. Their handles are
 * looked up once per connection generation. Every call runs on the owner session (the start-up
 * probe makes session objects).
 */
export class WrappingKeys {
  readonly label: string;
  readonly #keys = new PerGeneration<readonly WrappingKey[]>();
  /** The probe's verdict by CKA_ID (hex): a property of the key and the token, kept across connections. */
  readonly #refusesReadableUnwrap = new Map<string, boolean>();

  constructor(label: string) {
    this.label = label;
  }

  /**
   * At start: refuses a wrapping key whose value could leave the token, creates a guarded key
   * when the token holds none (the first start, or the first after issue 16), and reports the
   * legacy keys. Throws when even a new key is not guarded: the token does not enforce
   * CKA_UNWRAP_TEMPLATE, and anyone with the PIN could unwrap HSM keys into readable ones.
   */
  async prepare(session: TokenSession): Promise<WrappingKeysReady> {
    // Looked up afresh: another process may have made a key since.
    this.#keys.reset();
    let keys = await this.#all(session);
    const created = !keys.some((key) => key.guarded);
    if (created) {
      await createTokenKey(session, wrappingKeyTemplate, this.label);
      this.#keys.reset();
      keys = await this.#all(session);
      if (!keys.some((key) => key.guarded))
        throw new Error(
          `the PKCS#11 token does not enforce the CKA_UNWRAP_TEMPLATE of its wrapping key "${this.label}": with the PIN, HSM keys could be unwrapped into readable ones, so Arca does not use it`,
        );
    }
    return { created, legacy: keys.filter((key) => !key.guarded) };
  }

  /** The wrapping key whose CKA_ID is `id`, or undefined when the token holds none. */
  async withId(session: TokenSession, id: Buffer): Promise<WrappingKey | undefined> {
    return (await this.#all(session)).find((key) => key.id.equals(id));
  }

  /**
   * Wraps the version key `makeKey` makes in the session, with a check value bound to
   * `keyVersionId`, and destroys it. `makeKey` is told how the key may be wrapped (`WrapOnce`).
   * `alsoUse` runs on the new key once its length is checked, before it is destroyed. Throws
   * `WrongKeyLengthError` when the key is not 32 bytes long.
   */
  async wrapNew(
    session: TokenSession,
    keyVersionId: string,
    makeKey: (wrap: WrapOnce) => Promise<Handle>,
    alsoUse?: (key: Handle) => Promise<void>,
  ): Promise<ProtectedMaterial> {
    const wrappingKey = await this.#newestGuarded(session);
    const key = await makeKey({ wrapWithTrusted: wrappingKey.trusted });
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

  /**
   * The version's material wrapped again by the newest guarded key, when a legacy key wrapped
   * it; undefined when a guarded key already did. The key is unwrapped by the legacy key into a
   * sensitive session object, its check value opened (material of another version is refused),
   * wrapped and destroyed: its value never leaves the token.
   */
  async rewrap(session: TokenSession, keyVersionId: string, material: WrappedMaterial): Promise<ProtectedMaterial | undefined> {
    const current = await this.withId(session, material.wrappingKeyId);
    if (!current) throw new Error('the token holds no wrapping key with the id this material names');
    if (current.guarded) return undefined;
    return this.wrapNew(session, keyVersionId, async (wrap) => {
      const key = await session.unwrapKey(AES_KEY_WRAP_PAD, current.handle, material.wrapped, rewrappedVersionKeyTemplate(wrap));
      try {
        await verifyBinding(session, key, keyVersionId, material);
      } catch (error) {
        session.destroyObject(key);
        throw error;
      }
      return key;
    });
  }

  /** The legacy wrapping keys in the token (see `WrappingKey.guarded`). */
  async legacy(session: TokenSession): Promise<readonly WrappingKey[]> {
    return (await this.#all(session)).filter((key) => !key.guarded);
  }

  async #newestGuarded(session: TokenSession): Promise<WrappingKey> {
    const newest = (await this.#all(session)).filter((key) => key.guarded).at(-1);
    if (!newest) throw new Error(`no guarded wrapping key "${this.label}" is in the token`);
    return newest;
  }

  #all(session: TokenSession): Promise<readonly WrappingKey[]> {
    return this.#keys.get(session, async () => {
      const keys: WrappingKey[] = [];
      for (const key of findTokenKeys(session, this.label)) {
        assertKeyStaysInToken(session, key, `wrapping key "${this.label}"`);
        keys.push(await this.#classify(session, key));
      }
      return keys;
    });
  }

  async #classify(session: TokenSession, key: TokenKey): Promise<WrappingKey> {
    const flags = readFlags(session, key.handle, [ck.CKA_MODIFIABLE, ck.CKA_COPYABLE, ck.CKA_ENCRYPT, ck.CKA_DECRYPT, ck.CKA_TRUSTED]);
    const locked = [ck.CKA_MODIFIABLE, ck.CKA_COPYABLE, ck.CKA_ENCRYPT, ck.CKA_DECRYPT].every((type) => flags.get(type) === false);
    const guarded = locked && (await this.#refusesReadableUnwrapBy(session, key));
    return { ...key, guarded, trusted: flags.get(ck.CKA_TRUSTED) === true };
  }

  /**
   * The probe: wraps a throwaway key with `key` and asks the token to unwrap it as a readable,
   * extractable key, which it must refuse. A template the token ignores is found here, not by
   * an attacker.
   */
  async #refusesReadableUnwrapBy(session: TokenSession, key: TokenKey): Promise<boolean> {
    const id = key.id.toString('hex');
    const known = this.#refusesReadableUnwrap.get(id);
    if (known !== undefined) return known;
    const probe = await session.generateKey(AES_KEY_GEN, probeKeyTemplate());
    let refused: boolean;
    try {
      const wrapped = await session.wrapKey(AES_KEY_WRAP_PAD, key.handle, probe, MAX_WRAPPED_LENGTH_IN_BYTES);
      refused = await unwrapIsRefused(session, key.handle, wrapped);
    } finally {
      session.destroyObject(probe);
    }
    this.#refusesReadableUnwrap.set(id, refused);
    return refused;
  }
}

async function unwrapIsRefused(session: TokenSession, wrappingKey: Handle, wrapped: Buffer): Promise<boolean> {
  let readable: Handle;
  try {
    readable = await session.unwrapKey(AES_KEY_WRAP_PAD, wrappingKey, wrapped, readableKeyTemplate());
  } catch (error) {
    const code = returnValueOf(error);
    if (code !== undefined && TEMPLATE_REFUSED.has(code)) return true;
    throw error;
  }
  session.destroyObject(readable);
  return false;
}

/**
 * The material must open its own check value, bound to this version id: else it is not this
 * version's (moved from another row, or made under another wrapping key's id).
 */
export async function verifyBinding(session: TokenSession, key: Handle, keyVersionId: string, wrapped: WrappedMaterial): Promise<void> {
  // (SoftHSM2 reports CKA_VALUE_LEN 0 for an unwrapped key, so the length is not read back:
  // only a key that was wrapped together with a valid check value gets this far.)
  try {
    const check = await session.decrypt(
      aesGcmMechanism(wrapped.checkIv, checkAdditionalData(keyVersionId)),
      key,
      wrapped.check,
      wrapped.check.length,
    );
    if (check.length !== CHECK_PLAINTEXT_LENGTH || check.some((byte) => byte !== 0)) throw new AeadAuthenticationError();
  } catch (error) {
    if (error instanceof AeadAuthenticationError) throw new Error('stored HSM material does not belong to this key version');
    throw error;
  }
}
