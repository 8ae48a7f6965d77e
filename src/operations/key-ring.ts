import type { Aead } from '../crypto/aead.js';
import { parseKeyReference, type ArnScope } from '../domain/arn.js';
import { KmsError } from '../domain/errors.js';
import type { Key, KeyVersion } from '../domain/key.js';
import type { ProtectionLevel } from '../domain/key-spec.js';
import { STATE_TABLE } from '../domain/key-state.js';
import type { Clock, KeyProtector, KeyStore } from '../domain/ports.js';
import { LruCache } from './lru-cache.js';

export interface KeyRingOptions {
  /**
   * How long a key record or alias read from the store is trusted. Writes made through this
   * process update the cache at once; this bounds how long a change made by another process
   * (another worker or node sharing the database) takes to be seen.
   */
  readonly recordTtlMs: number;
  /** How many opened key versions (their AEADs) stay in memory. */
  readonly maxOpenVersions: number;
}

export const DEFAULT_KEY_RING_OPTIONS: KeyRingOptions = { recordTtlMs: 1_000, maxOpenVersions: 10_000 };

interface Timed<T> {
  readonly value: T;
  readonly fetchedAt: number;
}

interface OpenVersion {
  readonly keyId: string;
  readonly aead: Aead;
}

/**
 * The operations' view of keys: resolves references, caches records for a bounded time, and
 * keeps opened material in memory so the request path does not read the store for a hot key.
 * A version's material never changes, so an opened version is cached until evicted; its key's
 * record (state, primary version) is always checked against the record cache first.
 */
export class KeyRing {
  readonly #store: KeyStore;
  readonly #protectors: ReadonlyMap<ProtectionLevel, KeyProtector>;
  readonly #clock: Clock;
  readonly #scope: ArnScope;
  readonly #options: KeyRingOptions;
  readonly #keys = new Map<string, Timed<Key>>();
  readonly #aliases = new Map<string, Timed<string>>();
  readonly #versions: LruCache<string, OpenVersion>;

  constructor(
    store: KeyStore,
    protectors: ReadonlyMap<ProtectionLevel, KeyProtector>,
    clock: Clock,
    scope: ArnScope,
    options: KeyRingOptions = DEFAULT_KEY_RING_OPTIONS,
  ) {
    this.#store = store;
    this.#protectors = protectors;
    this.#clock = clock;
    this.#scope = scope;
    this.#options = options;
    this.#versions = new LruCache(options.maxOpenVersions);
  }

  get scope(): ArnScope {
    return this.#scope;
  }

  get store(): KeyStore {
    return this.#store;
  }

  protectorFor(level: ProtectionLevel): KeyProtector {
    const protector = this.#protectors.get(level);
    if (!protector) throw new KmsError('UnsupportedProtectionLevel', level);
    return protector;
  }

  hasProtector(level: ProtectionLevel): boolean {
    return this.#protectors.has(level);
  }

  /** The key a KeyId parameter names (id, alias or Arn); Forbidden.KeyNotFound / AliasNotFound. */
  async resolve(reference: string): Promise<Key> {
    const parsed = parseKeyReference(this.#scope, reference);
    if (parsed.kind === 'foreign') throw new KmsError('ForbiddenKeyNotFound');
    const keyId = parsed.kind === 'alias' ? await this.#aliasTarget(parsed.aliasName) : parsed.keyId;
    const key = await this.findKey(keyId);
    if (!key) throw new KmsError('ForbiddenKeyNotFound');
    return key;
  }

  async findKey(keyId: string): Promise<Key | undefined> {
    const cached = this.#keys.get(keyId);
    if (cached && this.#fresh(cached)) return cached.value;
    const key = await this.#store.getKey(keyId);
    if (key) this.remember(key);
    else this.#keys.delete(keyId);
    return key;
  }

  /** Records a key this process has just written (or read), so the next request sees it. */
  remember(key: Key): void {
    this.#keys.set(key.keyId, { value: key, fetchedAt: this.#clock.now() });
  }

  forgetKey(keyId: string): void {
    this.#keys.delete(keyId);
  }

  /**
   * A destroyed key, or a key whose imported material was destroyed: drop its record and its
   * opened versions, whose material must not linger (nor be used from memory).
   */
  forgetDestroyedKey(keyId: string): void {
    this.#keys.delete(keyId);
    this.#versions.deleteWhere((open) => open.keyId === keyId);
  }

  forgetAlias(aliasName: string): void {
    this.#aliases.delete(aliasName);
  }

  /** The AEAD of one version of `key`; KeyVersionNotFound when the key has no such version. */
  async aeadFor(key: Key, keyVersionId: string): Promise<Aead> {
    const open = this.#versions.get(keyVersionId);
    if (open && open.keyId === key.keyId) return open.aead;
    const version = await this.#store.getKeyVersion(keyVersionId);
    if (!version || version.keyId !== key.keyId) throw new KmsError('ForbiddenKeyVersionNotFound');
    const aead = await this.#open(key, version);
    if (!aead) throw materialUnavailable(key);
    return aead;
  }

  /**
   * The key and AEAD that a ciphertext's header names. An unknown version is reported as an
   * unknown key: the version id is all the blob says about its key. `aead` is undefined when the
   * version has no material (an EXTERNAL key awaiting import): the caller admits the key first,
   * then refuses with `materialUnavailable`, so that nothing about the key is said before the
   * caller has been authorised.
   */
  async openVersion(keyVersionId: string): Promise<{ key: Key; aead: Aead | undefined }> {
    const open = this.#versions.get(keyVersionId);
    if (open) {
      const key = await this.findKey(open.keyId);
      if (key) return { key, aead: open.aead };
      this.#versions.delete(keyVersionId);
      throw new KmsError('ForbiddenKeyNotFound');
    }
    const version = await this.#store.getKeyVersion(keyVersionId);
    const key = version && (await this.findKey(version.keyId));
    if (!version || !key) throw new KmsError('ForbiddenKeyNotFound');
    return { key, aead: await this.#open(key, version) };
  }

  /**
   * Opens `version` and, in the same go, every other version of its key that is not open yet:
   * all of a key's versions come from one query, so decrypting under an old version costs what
   * decrypting under the newest does, whatever the number of versions.
   */
  async #open(key: Key, version: KeyVersion): Promise<Aead | undefined> {
    const protector = this.protectorFor(key.protectionLevel);
    const { items: siblings } = await this.#store.listKeyVersions(key.keyId, { pageNumber: 1, pageSize: this.#options.maxOpenVersions });
    for (const sibling of siblings) {
      if (sibling.keyVersionId === version.keyVersionId || !sibling.material || this.#versions.get(sibling.keyVersionId)) continue;
      const aead = await protector.open(key.keySpec, sibling.keyVersionId, sibling.material);
      this.#versions.set(sibling.keyVersionId, { keyId: key.keyId, aead });
    }
    if (!version.material) return undefined;
    const aead = await protector.open(key.keySpec, version.keyVersionId, version.material);
    this.#versions.set(version.keyVersionId, { keyId: key.keyId, aead });
    return aead;
  }

  async #aliasTarget(aliasName: string): Promise<string> {
    const cached = this.#aliases.get(aliasName);
    if (cached && this.#fresh(cached)) return cached.value;
    const alias = await this.#store.getAlias(aliasName);
    if (!alias) {
      this.#aliases.delete(aliasName);
      throw new KmsError('ForbiddenAliasNotFound');
    }
    this.#aliases.set(aliasName, { value: alias.keyId, fetchedAt: this.#clock.now() });
    return alias.keyId;
  }

  #fresh(entry: Timed<unknown>): boolean {
    return this.#clock.now() - entry.fetchedAt < this.#options.recordTtlMs;
  }
}

/**
 * A version without material belongs to an EXTERNAL key awaiting (re-)import. The key's record
 * says so by its state; one read a moment before the material went (another process's write)
 * may still say Enabled, and is answered as PendingImport.
 */
export function materialUnavailable(key: Key): KmsError {
  const refusal = STATE_TABLE.UseKey[key.keyState];
  return new KmsError(refusal ?? 'RejectedPendingImport');
}
