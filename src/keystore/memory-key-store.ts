import type { Alias, Key, KeyVersion } from '../domain/key.js';
import { KeyState } from '../domain/key-state.js';
import {
  StoreConflictError,
  type AccessKeyRecord,
  type AccessKeyStore,
  type KeyFilter,
  type KeyStore,
  type MetadataStore,
  type Page,
  type PageOf,
} from '../domain/ports.js';
import {
  offsetOf,
  requireNextRevision,
  requireValidLimit,
  requireValidPage,
  requireVersionIsPrimaryOf,
  requireVersionOf,
  settle,
} from './store-support.js';

// Records are copied on the way in and on the way out: the store owns its copies, so neither an
// object a caller passed in nor one it got back can change what is stored. Buffers cannot be
// frozen, which is why this copies rather than freezes.
function copyKey(key: Key): Key {
  return { ...key, tags: key.tags.map((tag) => ({ ...tag })) };
}

function copyVersion(version: KeyVersion): KeyVersion {
  return {
    ...version,
    material: version.material && { ...version.material, sealed: Buffer.from(version.material.sealed) },
    materialCommitment: version.materialCommitment && Buffer.from(version.materialCommitment),
  };
}

function copyAlias(alias: Alias): Alias {
  return { ...alias };
}

function copyAccessKey(record: AccessKeyRecord): AccessKeyRecord {
  return { ...record, sealedSecret: Buffer.from(record.sealedSecret) };
}

interface Created {
  readonly creationDate: number;
}

/** Oldest first, ties broken by id: the order the port promises for every list. */
function byCreation<T extends Created>(idOf: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => a.creationDate - b.creationDate || compareIds(idOf(a), idOf(b));
}

function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function pageOf<T>(items: readonly T[], page: Page, copy: (item: T) => T): PageOf<T> {
  const start = offsetOf(page);
  return { items: items.slice(start, start + page.pageSize).map(copy), totalCount: items.length };
}

/** An empty or absent list of values places no constraint on its field. */
function fieldMatches<T>(wanted: readonly T[] | undefined, value: T): boolean {
  return wanted === undefined || wanted.length === 0 || wanted.includes(value);
}

function matchesFilter(key: Key, filter: KeyFilter): boolean {
  return (
    fieldMatches(filter.keyState, key.keyState) &&
    fieldMatches(filter.keySpec, key.keySpec) &&
    fieldMatches(filter.keyUsage, key.keyUsage) &&
    fieldMatches(filter.protectionLevel, key.protectionLevel)
  );
}

/** When `key`'s automatic rotation falls due, or null when it does not rotate in its state. */
function rotationDueAt(key: Key): number | null {
  if (!key.automaticRotation || key.keyState !== KeyState.Enabled || key.rotationIntervalSeconds === null) return null;
  return key.lastRotationDate + key.rotationIntervalSeconds * 1000;
}

/**
 * A KeyStore that lives in one process's memory, for tests and throw-away servers. Each method
 * checks everything before it changes anything, and runs without awaiting, so it is atomic.
 */
export class MemoryKeyStore implements KeyStore, AccessKeyStore, MetadataStore {
  readonly #keys = new Map<string, Key>();
  readonly #versions = new Map<string, KeyVersion>();
  readonly #aliases = new Map<string, Alias>();
  readonly #accessKeys = new Map<string, AccessKeyRecord>();
  readonly #metadata = new Map<string, Buffer>();

  createKey(key: Key, firstVersion: KeyVersion): Promise<void> {
    return settle(() => {
      requireVersionIsPrimaryOf(key, firstVersion);
      if (this.#keys.has(key.keyId)) throw new StoreConflictError('exists', `key ${key.keyId}`);
      this.#requireNewVersionId(firstVersion);
      this.#keys.set(key.keyId, copyKey(key));
      this.#versions.set(firstVersion.keyVersionId, copyVersion(firstVersion));
    });
  }

  getKey(keyId: string): Promise<Key | undefined> {
    return settle(() => {
      const key = this.#keys.get(keyId);
      return key && copyKey(key);
    });
  }

  updateKey(key: Key, expectedRevision: number): Promise<void> {
    return settle(() => {
      requireNextRevision(key, expectedRevision);
      this.#requireRevision(key.keyId, expectedRevision);
      this.#keys.set(key.keyId, copyKey(key));
    });
  }

  addKeyVersion(key: Key, version: KeyVersion, expectedRevision: number): Promise<void> {
    return settle(() => {
      requireNextRevision(key, expectedRevision);
      requireVersionIsPrimaryOf(key, version);
      this.#requireRevision(key.keyId, expectedRevision);
      this.#requireNewVersionId(version);
      this.#keys.set(key.keyId, copyKey(key));
      this.#versions.set(version.keyVersionId, copyVersion(version));
    });
  }

  deleteKey(keyId: string, expectedRevision: number): Promise<void> {
    return settle(() => {
      this.#requireRevision(keyId, expectedRevision);
      this.#keys.delete(keyId);
      for (const [id, version] of this.#versions) if (version.keyId === keyId) this.#versions.delete(id);
      for (const [name, alias] of this.#aliases) if (alias.keyId === keyId) this.#aliases.delete(name);
    });
  }

  listKeys(filter: KeyFilter, page: Page): Promise<PageOf<Key>> {
    return settle(() => {
      requireValidPage(page);
      const matching = [...this.#keys.values()].filter((key) => matchesFilter(key, filter));
      return pageOf(matching.sort(byCreation((key) => key.keyId)), page, copyKey);
    });
  }

  listKeysDueForRotation(nowMs: number, limit: number): Promise<Key[]> {
    return settle(() => {
      requireValidLimit(limit);
      const due: { key: Key; dueAt: number }[] = [];
      for (const key of this.#keys.values()) {
        const dueAt = rotationDueAt(key);
        if (dueAt !== null && dueAt <= nowMs) due.push({ key, dueAt });
      }
      due.sort((a, b) => a.dueAt - b.dueAt || compareIds(a.key.keyId, b.key.keyId));
      return due.slice(0, limit).map(({ key }) => copyKey(key));
    });
  }

  listKeysDueForDeletion(nowMs: number, limit: number): Promise<Key[]> {
    return settle(() => {
      requireValidLimit(limit);
      const due: { key: Key; dueAt: number }[] = [];
      for (const key of this.#keys.values()) {
        if (key.keyState === KeyState.PendingDeletion && key.deleteDate !== null && key.deleteDate <= nowMs) {
          due.push({ key, dueAt: key.deleteDate });
        }
      }
      due.sort((a, b) => a.dueAt - b.dueAt || compareIds(a.key.keyId, b.key.keyId));
      return due.slice(0, limit).map(({ key }) => copyKey(key));
    });
  }

  listKeysDueForMaterialExpiry(nowMs: number, limit: number): Promise<Key[]> {
    return settle(() => {
      requireValidLimit(limit);
      const due: { key: Key; dueAt: number }[] = [];
      for (const key of this.#keys.values()) {
        if (key.materialExpireTime !== null && key.materialExpireTime <= nowMs) due.push({ key, dueAt: key.materialExpireTime });
      }
      due.sort((a, b) => a.dueAt - b.dueAt || compareIds(a.key.keyId, b.key.keyId));
      return due.slice(0, limit).map(({ key }) => copyKey(key));
    });
  }

  replaceKeyMaterial(key: Key, version: KeyVersion, expectedRevision: number): Promise<void> {
    return settle(() => {
      requireNextRevision(key, expectedRevision);
      this.#requireRevision(key.keyId, expectedRevision);
      const stored = this.#versions.get(version.keyVersionId);
      requireVersionOf(key, version, stored);
      this.#keys.set(key.keyId, copyKey(key));
      this.#versions.set(version.keyVersionId, copyVersion({ ...version, creationDate: stored.creationDate }));
    });
  }

  getKeyVersion(keyVersionId: string): Promise<KeyVersion | undefined> {
    return settle(() => {
      const version = this.#versions.get(keyVersionId);
      return version && copyVersion(version);
    });
  }

  listKeyVersions(keyId: string, page: Page): Promise<PageOf<KeyVersion>> {
    return settle(() => {
      requireValidPage(page);
      // A Map iterates in insertion order: the order the versions were added.
      const versions = [...this.#versions.values()].filter((version) => version.keyId === keyId);
      return pageOf(versions, page, copyVersion);
    });
  }

  createAlias(alias: Alias): Promise<void> {
    return settle(() => {
      if (this.#aliases.has(alias.aliasName)) throw new StoreConflictError('alias-exists', alias.aliasName);
      this.#requireKeyExists(alias.keyId);
      this.#aliases.set(alias.aliasName, copyAlias(alias));
    });
  }

  getAlias(aliasName: string): Promise<Alias | undefined> {
    return settle(() => {
      const alias = this.#aliases.get(aliasName);
      return alias && copyAlias(alias);
    });
  }

  updateAlias(aliasName: string, keyId: string): Promise<void> {
    return settle(() => {
      const alias = this.#aliases.get(aliasName);
      if (alias === undefined) throw new StoreConflictError('alias-missing', aliasName);
      this.#requireKeyExists(keyId);
      this.#aliases.set(aliasName, { ...alias, keyId });
    });
  }

  deleteAlias(aliasName: string): Promise<void> {
    return settle(() => {
      if (!this.#aliases.delete(aliasName)) throw new StoreConflictError('alias-missing', aliasName);
    });
  }

  listAliases(page: Page, keyId?: string): Promise<PageOf<Alias>> {
    return settle(() => {
      requireValidPage(page);
      const aliases = [...this.#aliases.values()].filter((alias) => keyId === undefined || alias.keyId === keyId);
      return pageOf(aliases.sort(byCreation((alias) => alias.aliasName)), page, copyAlias);
    });
  }

  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    return settle(() => {
      const record = this.#accessKeys.get(accessKeyId);
      return record && copyAccessKey(record);
    });
  }

  putAccessKey(record: AccessKeyRecord): Promise<void> {
    return settle(() => {
      this.#accessKeys.set(record.accessKeyId, copyAccessKey(record));
    });
  }

  countAccessKeys(): Promise<number> {
    return settle(() => this.#accessKeys.size);
  }

  getMetadata(name: string): Promise<Buffer | undefined> {
    return settle(() => {
      const value = this.#metadata.get(name);
      return value && Buffer.from(value);
    });
  }

  putMetadata(name: string, value: Buffer): Promise<void> {
    return settle(() => {
      this.#metadata.set(name, Buffer.from(value));
    });
  }

  putMetadataIfAbsent(name: string, value: Buffer): Promise<Buffer> {
    return settle(() => {
      if (!this.#metadata.has(name)) this.#metadata.set(name, Buffer.from(value));
      return Buffer.from(this.#metadata.get(name) ?? value);
    });
  }

  close(): Promise<void> {
    // Nothing to release: the records go when the store is garbage.
    return Promise.resolve();
  }

  #requireRevision(keyId: string, expectedRevision: number): void {
    const stored = this.#keys.get(keyId);
    if (stored === undefined) throw new StoreConflictError('missing', `key ${keyId}`);
    if (stored.revision !== expectedRevision) {
      throw new StoreConflictError('stale-revision', `key ${keyId} is at revision ${stored.revision}, not ${expectedRevision}`);
    }
  }

  #requireNewVersionId(version: KeyVersion): void {
    if (this.#versions.has(version.keyVersionId)) throw new StoreConflictError('exists', `key version ${version.keyVersionId}`);
  }

  #requireKeyExists(keyId: string): void {
    if (!this.#keys.has(keyId)) throw new StoreConflictError('missing', `key ${keyId}`);
  }
}
