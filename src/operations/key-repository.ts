import { randomUUID } from 'node:crypto';
import type { Aead } from '../crypto/aead.js';
import type { ArnScope } from '../domain/arn.js';
import { KmsError } from '../domain/errors.js';
import { reviseKey, type Alias, type Key, type KeyVersion } from '../domain/key.js';
import type { KeyReference } from '../domain/key-reference.js';
import { Origin, type ProtectionLevel } from '../domain/key-spec.js';
import { assertStateAllows, KeyState, STATE_TABLE, type StateRule } from '../domain/key-state.js';
import {
  StoreConflictError,
  type Clock,
  type KeyFilter,
  type KeyProtector,
  type KeyStore,
  type Page,
  type PageOf,
  type StoreWrite,
} from '../domain/ports.js';
import { LruCache } from './lru-cache.js';

export interface KeyRepositoryOptions {
  /**
   * How long a key record or alias read from the store is trusted. Writes made through this
   * repository update its cache at once, and `invalidate` drops an entry at once; this bounds how
   * long a change made elsewhere, and not announced, takes to be seen.
   */
  readonly recordTtlMs: number;
  /** How many key records and aliases stay cached. */
  readonly maxRecords: number;
  /** How many opened key versions (their AEADs) stay in memory. */
  readonly maxOpenVersions: number;
}

export const DEFAULT_KEY_REPOSITORY_OPTIONS: KeyRepositoryOptions = { recordTtlMs: 1_000, maxRecords: 100_000, maxOpenVersions: 10_000 };

/**
 * What changed, so that a cache must forget it: the one invalidation entry point's argument, and
 * what the repository announces after each of its own writes. `keyMaterial`: a key's material
 * was destroyed or replaced (or the key deleted), so its opened versions must go too.
 */
export type Invalidation =
  | { readonly kind: 'key'; readonly keyId: string }
  | { readonly kind: 'keyMaterial'; readonly keyId: string }
  | { readonly kind: 'alias'; readonly aliasName: string }
  | { readonly kind: 'accessKey'; readonly accessKeyId: string }
  /** Some RAM identity changed (a user, group, membership, policy or attachment): docs/adr/0027. */
  | { readonly kind: 'identities' };

/**
 * How the processes that share a store tell each other what they changed, so that each drops its
 * cached copy at once rather than after the record TTL: the cluster's workers through their
 * primary; several nodes on one database would use the database's own notifications.
 */
export interface InvalidationChannel {
  /** Tells the other processes what this one just wrote. */
  publish(change: Invalidation): void;
  /** Calls `handler` with each change another process announced. */
  subscribe(handler: (change: Invalidation) => void): void;
}

export function isInvalidation(value: unknown): value is Invalidation {
  if (typeof value !== 'object' || value === null) return false;
  const change = value as Record<string, unknown>;
  switch (change.kind) {
    case 'key':
    case 'keyMaterial':
      return typeof change.keyId === 'string';
    case 'alias':
      return typeof change.aliasName === 'string';
    case 'accessKey':
      return typeof change.accessKeyId === 'string';
    case 'identities':
      return true;
    default:
      return false;
  }
}

/** A change to a key's record, computed from the record as stored (see `mutateKey`). */
export type KeyChange = Partial<Omit<Key, 'keyId' | 'revision'>>;

const MAX_WRITE_ATTEMPTS = 3;

interface Timed<T> {
  readonly value: T;
  readonly fetchedAt: number;
}

interface OpenVersion {
  readonly keyId: string;
  readonly aead: Aead;
}

/**
 * The operations' and jobs' only way to keys: reads through bounded caches, and every write,
 * each of which keeps the caches right. Nothing else reaches the store, so no caller can forget
 * to fix a cache. A version's material never changes, so an opened version stays cached until
 * evicted or its key's material is destroyed; its key's record (state, primary version) is always
 * checked against the record cache first.
 */
export class KeyRepository {
  readonly #store: KeyStore;
  readonly #protectors: ReadonlyMap<ProtectionLevel, KeyProtector>;
  readonly #clock: Clock;
  readonly #scope: ArnScope;
  readonly #options: KeyRepositoryOptions;
  readonly #keys: LruCache<string, Timed<Key>>;
  readonly #aliases: LruCache<string, Timed<string>>;
  readonly #versions: LruCache<string, OpenVersion>;
  readonly #invalidationListeners: ((change: Invalidation) => void)[] = [];
  readonly #writeListeners: ((change: Invalidation) => void)[] = [];

  constructor(
    store: KeyStore,
    protectors: ReadonlyMap<ProtectionLevel, KeyProtector>,
    clock: Clock,
    scope: ArnScope,
    options: KeyRepositoryOptions = DEFAULT_KEY_REPOSITORY_OPTIONS,
  ) {
    this.#store = store;
    this.#protectors = protectors;
    this.#clock = clock;
    this.#scope = scope;
    this.#options = options;
    this.#keys = new LruCache(options.maxRecords);
    this.#aliases = new LruCache(options.maxRecords);
    this.#versions = new LruCache(options.maxOpenVersions);
  }

  get scope(): ArnScope {
    return this.#scope;
  }

  protectorFor(level: ProtectionLevel): KeyProtector {
    const protector = this.#protectors.get(level);
    if (!protector) throw new KmsError('ProtectionLevelUnavailable', level);
    return protector;
  }

  hasProtector(level: ProtectionLevel): boolean {
    return this.#protectors.has(level);
  }

  // ---- invalidation

  /**
   * The one entry point through which a change made elsewhere (another worker, another node, a
   * tool writing the database) reaches this repository's caches: the entry is dropped at once,
   * so the next read goes to the store. Listeners (the access-key directory) hear every call.
   */
  invalidate(change: Invalidation): void {
    if (change.kind === 'key') this.#keys.delete(change.keyId);
    else if (change.kind === 'keyMaterial') this.#forgetMaterial(change.keyId);
    else if (change.kind === 'alias') this.#aliases.delete(change.aliasName);
    for (const listener of this.#invalidationListeners) listener(change);
  }

  onInvalidation(listener: (change: Invalidation) => void): void {
    this.#invalidationListeners.push(listener);
  }

  /**
   * Hears what each write through this repository changed, once it is stored: the way to tell
   * other processes (the cluster's other workers) to drop their cached copies at once.
   */
  onWrite(listener: (change: Invalidation) => void): void {
    this.#writeListeners.push(listener);
  }

  // ---- reads

  /** The key a reference names; KeyNotFound / AliasNotFound. */
  async resolve(reference: KeyReference): Promise<Key> {
    if (reference.kind === 'foreign') throw new KmsError('KeyNotFound');
    const keyId = reference.kind === 'alias' ? await this.aliasTarget(reference.aliasName) : reference.keyId;
    const key = await this.findKey(keyId);
    if (!key) throw new KmsError('KeyNotFound');
    return key;
  }

  async findKey(keyId: string): Promise<Key | undefined> {
    const cached = this.#keys.get(keyId);
    if (cached && this.#fresh(cached)) return cached.value;
    const key = await this.#store.getKey(keyId);
    if (key) this.#remember(key);
    else this.#keys.delete(keyId);
    return key;
  }

  /** The id of the key an alias names; AliasNotFound. */
  async aliasTarget(aliasName: string): Promise<string> {
    const cached = this.#aliases.get(aliasName);
    if (cached && this.#fresh(cached)) return cached.value;
    const alias = await this.#store.getAlias(aliasName);
    if (!alias) {
      this.#aliases.delete(aliasName);
      throw new KmsError('AliasNotFound');
    }
    this.#aliases.set(aliasName, { value: alias.keyId, fetchedAt: this.#clock.now() });
    return alias.keyId;
  }

  /** A stored alias, read from the store (not cached): for the writes that judge on it. */
  getAlias(aliasName: string): Promise<Alias | undefined> {
    return this.#store.getAlias(aliasName);
  }

  /** A version as stored now (not cached): for reads that must see the latest material state. */
  async versionOf(key: Key, keyVersionId: string): Promise<KeyVersion> {
    const version = await this.#store.getKeyVersion(keyVersionId);
    if (!version || version.keyId !== key.keyId) throw new KmsError('KeyVersionNotFound');
    return version;
  }

  listKeys(filter: KeyFilter, page: Page): Promise<PageOf<Key>> {
    return this.#store.listKeys(filter, page);
  }

  listAliases(page: Page, keyId?: string): Promise<PageOf<Alias>> {
    return this.#store.listAliases(page, keyId);
  }

  listKeyVersions(keyId: string, page: Page): Promise<PageOf<KeyVersion>> {
    return this.#store.listKeyVersions(keyId, page);
  }

  listKeysDueForRotation(nowMs: number, limit: number): Promise<Key[]> {
    return this.#store.listKeysDueForRotation(nowMs, limit);
  }

  listKeysDueForDeletion(nowMs: number, limit: number): Promise<Key[]> {
    return this.#store.listKeysDueForDeletion(nowMs, limit);
  }

  listKeysDueForMaterialExpiry(nowMs: number, limit: number): Promise<Key[]> {
    return this.#store.listKeysDueForMaterialExpiry(nowMs, limit);
  }

  // ---- material

  /** The AEAD of one version of `key`; KeyVersionNotFound when the key has no such version. */
  async aeadFor(key: Key, keyVersionId: string): Promise<Aead> {
    const open = this.#versions.get(keyVersionId);
    if (open && open.keyId === key.keyId) return open.aead;
    const version = await this.#store.getKeyVersion(keyVersionId);
    if (!version || version.keyId !== key.keyId) throw new KmsError('KeyVersionNotFound');
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
      throw new KmsError('KeyNotFound');
    }
    const version = await this.#store.getKeyVersion(keyVersionId);
    const key = version && (await this.findKey(version.keyId));
    if (!version || !key) throw new KmsError('KeyNotFound');
    return { key, aead: await this.#open(key, version) };
  }

  // ---- writes

  async createKey(key: Key, firstVersion: KeyVersion): Promise<void> {
    await this.#store.createKey(key, firstVersion);
    this.#remember(key);
  }

  /**
   * Reads, changes and writes one key under optimistic concurrency, judging `rule` on the record
   * as stored. When another writer got there first, the key is read again from the store and
   * `change` re-applied to the fresh record (whatever `change` reads besides the key is read
   * again too, after the write that raced it).
   */
  async mutateKey(keyId: string, rule: StateRule, change: (key: Key) => KeyChange | Promise<KeyChange>): Promise<Key> {
    for (let attempt = 1; ; attempt++) {
      const key = attempt === 1 ? await this.findKey(keyId) : await this.#reread(keyId);
      if (!key) throw new KmsError('KeyNotFound');
      assertStateAllows(rule, stateAt(key, this.#clock.now()));
      const next = reviseKey(key, await change(key));
      try {
        await this.#store.updateKey(next, key.revision);
        this.#remember(next);
        this.#announce({ kind: 'key', keyId });
        return next;
      } catch (error) {
        if (!(error instanceof StoreConflictError)) throw error;
        this.#keys.delete(keyId);
        if (error.reason === 'missing') throw new KmsError('KeyNotFound');
        if (attempt >= MAX_WRITE_ATTEMPTS) throw new KmsError('ConcurrentModification');
      }
    }
  }

  /**
   * Adds a version with fresh material to `key` and makes it primary, in one store transaction
   * conditioned on the revision read: a crash leaves the old primary or the new one, never a key
   * without a primary or a version without material, and of two rotations racing from the same
   * revision (two requests, two nodes, a job and a request) only one lands.
   *
   * Returns the revised key, or `undefined` when another writer changed the key first.
   */
  async rotate(key: Key): Promise<Key | undefined> {
    if (key.origin === Origin.External) throw new KmsError('UnsupportedOrigin');
    const now = this.#clock.now();
    const keyVersionId = randomUUID();
    const material = await this.protectorFor(key.protectionLevel).generate(key.keySpec, keyVersionId);
    const rotated = reviseKey(key, { primaryKeyVersionId: keyVersionId, lastRotationDate: now });
    try {
      await this.#store.addKeyVersion(
        rotated,
        { keyId: key.keyId, keyVersionId, creationDate: now, material, materialCommitment: null },
        key.revision,
      );
    } catch (error) {
      if (error instanceof StoreConflictError && (error.reason === 'stale-revision' || error.reason === 'missing')) {
        this.#keys.delete(key.keyId);
        return undefined;
      }
      throw error;
    }
    this.#remember(rotated);
    this.#announce({ kind: 'key', keyId: key.keyId });
    return rotated;
  }

  /**
   * Stores `version` (its new material, or none) with `next` in one transaction conditioned on the
   * revision of `key`, then forgets every opened version of the key before it remembers the new
   * record: material that was destroyed can no longer be used from memory, and material that
   * arrived is opened afresh from the store.
   *
   * Returns false when another writer changed the key first (nothing was stored).
   */
  async replaceMaterial(key: Key, next: Key, version: KeyVersion): Promise<boolean> {
    try {
      await this.#store.replaceKeyMaterial(next, version, key.revision);
    } catch (error) {
      if (!(error instanceof StoreConflictError)) throw error;
      this.#keys.delete(key.keyId);
      if (error.reason === 'missing') throw new KmsError('KeyNotFound');
      return false;
    }
    this.#forgetMaterial(key.keyId);
    this.#remember(next);
    this.#announce({ kind: 'keyMaterial', keyId: key.keyId });
    return true;
  }

  /**
   * Destroys the key, its versions and its aliases, if it is still at the revision read.
   * Returns false when another writer changed it first.
   */
  async deleteKey(key: Key): Promise<boolean> {
    try {
      await this.#store.deleteKey(key.keyId, key.revision);
    } catch (error) {
      if (!(error instanceof StoreConflictError)) throw error;
      this.#keys.delete(key.keyId);
      return false;
    }
    this.#forgetMaterial(key.keyId);
    // Its aliases went with it; they are few and this is rare, so the alias cache is scanned
    // (another process keeps an alias of a deleted key at most one record TTL: it names no key).
    this.#aliases.deleteWhere((entry) => entry.value === key.keyId);
    this.#announce({ kind: 'keyMaterial', keyId: key.keyId });
    return true;
  }

  /**
   * Creates an alias for `key`, on the condition that the key is still as judged (`rule` on its
   * state): alias and key revision go to the store in one atomic batch, so a key scheduled for
   * deletion a moment before cannot gain an alias. A stale record is read again and judged again.
   */
  async createAlias(aliasName: string, key: Key, rule: StateRule): Promise<void> {
    const alias: Alias = { aliasName, keyId: key.keyId, creationDate: this.#clock.now() };
    await this.#writeConditionedOn(key, rule, (current) => [
      { kind: 'require-key-revision', keyId: current.keyId, expectedRevision: current.revision },
      { kind: 'create-alias', alias },
    ]);
    this.#aliases.delete(aliasName);
    this.#announce({ kind: 'alias', aliasName });
  }

  /** Points an existing alias at `target`, conditioned on the target as judged (see createAlias). */
  async updateAlias(aliasName: string, target: Key, rule: StateRule): Promise<void> {
    await this.#writeConditionedOn(target, rule, (current) => [
      { kind: 'require-key-revision', keyId: current.keyId, expectedRevision: current.revision },
      { kind: 'update-alias', aliasName, keyId: current.keyId },
    ]);
    this.#aliases.delete(aliasName);
    this.#announce({ kind: 'alias', aliasName });
  }

  async deleteAlias(aliasName: string): Promise<void> {
    try {
      await this.#store.deleteAlias(aliasName);
    } catch (error) {
      if (error instanceof StoreConflictError && error.reason === 'alias-missing') throw new KmsError('AliasNotFound');
      throw error;
    }
    this.#aliases.delete(aliasName);
    this.#announce({ kind: 'alias', aliasName });
  }

  // ---- internals

  #announce(change: Invalidation): void {
    for (const listener of this.#writeListeners) listener(change);
  }

  async #writeConditionedOn(first: Key, rule: StateRule, writes: (key: Key) => StoreWrite[]): Promise<void> {
    let key = first;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#store.applyBatch(writes(key));
        return;
      } catch (error) {
        if (!(error instanceof StoreConflictError)) throw error;
        if (error.reason === 'alias-exists') throw new KmsError('AliasExists');
        if (error.reason === 'alias-missing') throw new KmsError('AliasNotFound');
        const fresh = await this.#reread(key.keyId);
        if (error.reason === 'missing' || !fresh) throw new KmsError('KeyNotFound');
        if (attempt >= MAX_WRITE_ATTEMPTS) throw new KmsError('ConcurrentModification');
        assertStateAllows(rule, stateAt(fresh, this.#clock.now()));
        key = fresh;
      }
    }
  }

  #remember(key: Key): void {
    this.#keys.set(key.keyId, { value: key, fetchedAt: this.#clock.now() });
  }

  async #reread(keyId: string): Promise<Key | undefined> {
    this.#keys.delete(keyId);
    return this.findKey(keyId);
  }

  /** A destroyed key, or one whose imported material changed: no opened version may linger. */
  #forgetMaterial(keyId: string): void {
    this.#keys.delete(keyId);
    this.#versions.deleteWhere((open) => open.keyId === keyId);
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

  #fresh(entry: Timed<unknown>): boolean {
    return this.#clock.now() - entry.fetchedAt < this.#options.recordTtlMs;
  }
}

/**
 * The key's state as the API must treat it at `nowMs`: imported material past its expiry time is
 * gone even before the expiry job's next tick destroys it, so the key is PendingImport from that
 * instant (a PendingDeletion key stays PendingDeletion, as the job leaves it).
 */
export function stateAt(key: Key, nowMs: number): KeyState {
  const expired = key.materialExpireTime !== null && key.materialExpireTime <= nowMs;
  return expired && key.keyState !== KeyState.PendingDeletion ? KeyState.PendingImport : key.keyState;
}

/**
 * A version without material belongs to an EXTERNAL key awaiting (re-)import. The key's record
 * says so by its state; one read a moment before the material went (another process's write)
 * may still say Enabled, and is answered as PendingImport.
 */
export function materialUnavailable(key: Key): KmsError {
  const refusal = STATE_TABLE.UseKey[key.keyState];
  return new KmsError(refusal ?? 'KeyPendingImport');
}
