import { KmsError } from '../../domain/errors.js';
import type { Handle } from './binding.js';
import { AES_KEY_WRAP_PAD } from './mechanisms.js';
import type { Pkcs11Token } from './pkcs11-token.js';
import { usableVersionKeyTemplate } from './templates.js';
import type { TokenSession } from './token-session.js';
import { decodeWrappedMaterial, type WrappedMaterial } from './wrapped-material.js';
import { AES_256_WRAPPED_LENGTH, verifyBinding, type WrappingKeys } from './wrapping-keys.js';

export const DEFAULT_MAX_UNWRAPPED_KEYS = 1_000;
// Well above the session count, so the keys in use never fill the whole cache.
const MIN_UNWRAPPED_KEYS = 16;

/** One version's stored material as the cache keeps it. */
export interface VersionMaterial {
  readonly keyVersionId: string;
  readonly wrapped: WrappedMaterial;
  /** Version id and material together: other material under the same id is unwrapped and checked anew. */
  readonly cacheKey: string;
}

/** Throws when `sealed` is not wrapped material (nothing reaches the token). */
export function versionMaterialOf(keyVersionId: string, sealed: Buffer): VersionMaterial {
  return { keyVersionId, wrapped: decodeWrappedMaterial(sealed), cacheKey: `${keyVersionId}:${sealed.toString('base64')}` };
}

interface UnwrappedKey {
  readonly handle: Handle;
  readonly generation: number;
  /** Operations using the handle now: it is destroyed only when none is. */
  uses: number;
}

/**
 * The versions' keys unwrapped in the token: each a sensitive, non-extractable session object
 * made by the owner session, its handle kept for later requests (up to `maxUnwrappedKeys`,
 * least recently used destroyed first, never while an operation holds it). Handles belong to
 * one connection generation: after the token is lost and the connection rebuilt, each version
 * is unwrapped again from its stored material on its next use.
 */
export class UnwrappedKeyCache {
  readonly #token: Pkcs11Token;
  readonly #wrappingKeys: WrappingKeys;
  readonly #maxUnwrappedKeys: number;
  // Least recently used first (a Map keeps insertion order; a hit re-inserts).
  readonly #unwrapped = new Map<string, UnwrappedKey>();
  readonly #unwrapping = new Map<string, Promise<UnwrappedKey>>();

  constructor(token: Pkcs11Token, wrappingKeys: WrappingKeys, maxUnwrappedKeys: number) {
    if (!Number.isInteger(maxUnwrappedKeys) || maxUnwrappedKeys < MIN_UNWRAPPED_KEYS) {
      throw new Error(`maxUnwrappedKeys must be at least ${MIN_UNWRAPPED_KEYS}`);
    }
    this.#token = token;
    this.#wrappingKeys = wrappingKeys;
    this.#maxUnwrappedKeys = maxUnwrappedKeys;
  }

  /** Runs `use` on a session with the version's unwrapped key handle held. */
  async withKey<T>(operation: string, version: VersionMaterial, use: (session: TokenSession, key: Handle) => Promise<T>): Promise<T> {
    return this.#token.run(operation, async (session) => {
      const key = await this.#acquire(session.generation, version);
      try {
        // The connection was rebuilt while the key was being unwrapped: its handle and this
        // session belong to different generations, and the next try gets a matching pair.
        if (key.generation !== session.generation) throw new KmsError('Unavailable');
        return await use(session, key.handle);
      } finally {
        key.uses -= 1;
      }
    });
  }

  /**
   * The version's unwrapped key with its use count already raised (the caller lowers it), so no
   * eviction destroys it in between. Concurrent first uses of one version share one unwrap.
   */
  #acquire(generation: number, version: VersionMaterial): Promise<UnwrappedKey> {
    const cached = this.#unwrapped.get(version.cacheKey);
    if (cached && cached.generation === generation) {
      cached.uses += 1;
      this.#unwrapped.delete(version.cacheKey);
      this.#unwrapped.set(version.cacheKey, cached);
      return Promise.resolve(cached);
    }
    const pendingKey = `${generation}:${version.cacheKey}`;
    let pending = this.#unwrapping.get(pendingKey);
    if (!pending) {
      pending = this.#token
        .runAsOwner('unwrap a key version', (owner) => this.#unwrap(owner, version))
        .finally(() => this.#unwrapping.delete(pendingKey));
      this.#unwrapping.set(pendingKey, pending);
    }
    return pending.then((key) => {
      key.uses += 1;
      return key;
    });
  }

  /** Runs on the owner session: the unwrapped key lives as long as the connection. */
  async #unwrap(session: TokenSession, { keyVersionId, wrapped, cacheKey }: VersionMaterial): Promise<UnwrappedKey> {
    if (wrapped.wrapped.length !== AES_256_WRAPPED_LENGTH) throw new Error('stored HSM material has the wrong length');
    const wrappingKey = await this.#wrappingKeys.withId(session, wrapped.wrappingKeyId);
    if (!wrappingKey) throw new Error('the token holds no wrapping key with the id this material names');
    const handle = await session.unwrapKey(AES_KEY_WRAP_PAD, wrappingKey.handle, wrapped.wrapped, usableVersionKeyTemplate());
    try {
      await verifyBinding(session, handle, keyVersionId, wrapped);
    } catch (error) {
      session.destroyObject(handle);
      throw error;
    }
    const key: UnwrappedKey = { handle, generation: session.generation, uses: 0 };
    this.#evict(session);
    this.#unwrapped.delete(cacheKey);
    this.#unwrapped.set(cacheKey, key);
    return key;
  }

  /**
   * Makes room for one more unwrapped key: destroys the least recently used ones that no
   * operation holds. (Keys in use are skipped, so the bound may be passed by at most the number
   * of sessions, briefly.)
   */
  #evict(owner: TokenSession): void {
    for (const [cacheKey, key] of this.#unwrapped) {
      if (this.#unwrapped.size < this.#maxUnwrappedKeys) return;
      if (key.generation !== owner.generation) {
        this.#unwrapped.delete(cacheKey); // died with its connection
      } else if (key.uses === 0) {
        this.#unwrapped.delete(cacheKey);
        owner.destroyObject(key.handle);
      }
    }
  }
}
