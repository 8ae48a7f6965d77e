import type { Alias, Key, KeyVersion } from '../domain/key.js';
import { KeyState } from '../domain/key-state.js';
import {
  StoreConflictError,
  type AccessKeyRecord,
  type AccessKeyStore,
  type AddKeyVersionWrite,
  type CreateAliasWrite,
  type CreateKeyWrite,
  type DeleteAliasWrite,
  type DeleteKeyWrite,
  type HasIdentityStore,
  type KeyCountRow,
  type KeyFilter,
  type KeyInventory,
  type KeyStore,
  type MetadataStore,
  type Page,
  type PageOf,
  type ReplaceKeyMaterialWrite,
  type StoreWrite,
  type UpdateAliasWrite,
  type UpdateKeyWrite,
} from '../domain/ports.js';
import {
  offsetOf,
  requireValidLimit,
  requireValidPage,
  requireVersionOf,
  requireWellFormedBatch,
  settle,
  unknownWrite,
} from './store-support.js';
import { MemoryIdentityStore } from './memory-identity-store.js';

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

/** No constraint when `wanted` is absent or empty; otherwise one of `values` must be wanted. */
function anyTagMatches(wanted: readonly string[] | undefined, values: readonly string[]): boolean {
  return wanted === undefined || wanted.length === 0 || values.some((value) => wanted.includes(value));
}

function matchesFilter(key: Key, filter: KeyFilter): boolean {
  return (
    fieldMatches(filter.keyState, key.keyState) &&
    fieldMatches(filter.keySpec, key.keySpec) &&
    fieldMatches(filter.keyUsage, key.keyUsage) &&
    fieldMatches(filter.protectionLevel, key.protectionLevel) &&
    anyTagMatches(
      filter.tagKey,
      key.tags.map((tag) => tag.tagKey),
    ) &&
    anyTagMatches(
      filter.tagValue,
      key.tags.map((tag) => tag.tagValue),
    )
  );
}

/**
 * A stored version and its place in the order versions were added (what listKeyVersions
 * promises). Kept explicitly, not as the Map's insertion order: undoing a deletion puts an
 * entry back at the end of a Map.
 */
interface StoredVersion {
  readonly version: KeyVersion;
  readonly addedAs: number;
}

/** The entries a batch changed and what they held before, so that a failing write can undo the ones before it. */
class UndoLog {
  readonly #steps: Array<() => void> = [];

  set<K, V>(map: Map<K, V>, key: K, value: V): void {
    this.#remember(map, key);
    map.set(key, value);
  }

  delete<K, V>(map: Map<K, V>, key: K): void {
    this.#remember(map, key);
    map.delete(key);
  }

  /** Puts back every entry changed since the log began, latest change first. */
  rollback(): void {
    for (const step of this.#steps.reverse()) step();
  }

  // No stored value is ever undefined, so undefined means the entry was absent.
  #remember<K, V>(map: Map<K, V>, key: K): void {
    const previous = map.get(key);
    this.#steps.push(
      previous === undefined
        ? () => {
            map.delete(key);
          }
        : () => {
            map.set(key, previous);
          },
    );
  }
}

/** When `key`'s automatic rotation falls due, or null when it does not rotate in its state. */
function rotationDueAt(key: Key): number | null {
  if (!key.automaticRotation || key.keyState !== KeyState.Enabled || key.rotationIntervalSeconds === null) return null;
  return key.lastRotationDate + key.rotationIntervalSeconds * 1000;
}

/**
 * A KeyStore that lives in one process's memory, for tests and throw-away servers. Every write
 * is a batch (single-write methods are batches of one) that runs without awaiting, so no other
 * caller sees it half done; each change goes through an undo log, and a write that fails undoes
 * the batch's earlier ones before the promise rejects.
 */
export class MemoryKeyStore implements KeyStore, AccessKeyStore, MetadataStore, HasIdentityStore, KeyInventory {
  readonly #keys = new Map<string, Key>();
  readonly #versions = new Map<string, StoredVersion>();
  readonly #aliases = new Map<string, Alias>();
  readonly #accessKeys = new Map<string, AccessKeyRecord>();
  /** RAM identities; a user's access keys are records of `#accessKeys` (docs/adr/0027). */
  readonly identities = new MemoryIdentityStore(this.#accessKeys);
  readonly #metadata = new Map<string, Buffer>();
  #versionsAdded = 0;

  createKey(key: Key, firstVersion: KeyVersion): Promise<void> {
    return this.applyBatch([{ kind: 'create-key', key, firstVersion }]);
  }

  getKey(keyId: string): Promise<Key | undefined> {
    return settle(() => {
      const key = this.#keys.get(keyId);
      return key && copyKey(key);
    });
  }

  updateKey(key: Key, expectedRevision: number): Promise<void> {
    return this.applyBatch([{ kind: 'update-key', key, expectedRevision }]);
  }

  addKeyVersion(key: Key, version: KeyVersion, expectedRevision: number): Promise<void> {
    return this.applyBatch([{ kind: 'add-key-version', key, version, expectedRevision }]);
  }

  deleteKey(keyId: string, expectedRevision: number): Promise<void> {
    return this.applyBatch([{ kind: 'delete-key', keyId, expectedRevision }]);
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
    return this.applyBatch([{ kind: 'replace-key-material', key, version, expectedRevision }]);
  }

  getKeyVersion(keyVersionId: string): Promise<KeyVersion | undefined> {
    return settle(() => {
      const stored = this.#versions.get(keyVersionId);
      return stored && copyVersion(stored.version);
    });
  }

  listKeyVersions(keyId: string, page: Page): Promise<PageOf<KeyVersion>> {
    return settle(() => {
      requireValidPage(page);
      const versions = [...this.#versions.values()]
        .filter(({ version }) => version.keyId === keyId)
        .sort((a, b) => a.addedAs - b.addedAs)
        .map(({ version }) => version);
      return pageOf(versions, page, copyVersion);
    });
  }

  createAlias(alias: Alias): Promise<void> {
    return this.applyBatch([{ kind: 'create-alias', alias }]);
  }

  getAlias(aliasName: string): Promise<Alias | undefined> {
    return settle(() => {
      const alias = this.#aliases.get(aliasName);
      return alias && copyAlias(alias);
    });
  }

  updateAlias(aliasName: string, keyId: string): Promise<void> {
    return this.applyBatch([{ kind: 'update-alias', aliasName, keyId }]);
  }

  deleteAlias(aliasName: string): Promise<void> {
    return this.applyBatch([{ kind: 'delete-alias', aliasName }]);
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
    return this.applyBatch([{ kind: 'put-access-key', record }]);
  }

  countAccessKeys(): Promise<number> {
    return settle(() => this.#accessKeys.size);
  }

  countKeys(): Promise<KeyCountRow[]> {
    return settle(() => {
      const counts = new Map<string, KeyCountRow>();
      for (const { keyState, keySpec, protectionLevel } of this.#keys.values()) {
        const group = `${keyState}\u0000${keySpec}\u0000${protectionLevel}`;
        const count = (counts.get(group)?.count ?? 0) + 1;
        counts.set(group, { keyState, keySpec, protectionLevel, count });
      }
      return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
    });
  }

  countKeyVersions(): Promise<number> {
    return settle(() => this.#versions.size);
  }

  getMetadata(name: string): Promise<Buffer | undefined> {
    return settle(() => {
      const value = this.#metadata.get(name);
      return value && Buffer.from(value);
    });
  }

  putMetadata(name: string, value: Buffer): Promise<void> {
    return this.applyBatch([{ kind: 'put-metadata', name, value }]);
  }

  putMetadataIfAbsent(name: string, value: Buffer): Promise<Buffer> {
    return settle(() => {
      if (!this.#metadata.has(name)) this.#metadata.set(name, Buffer.from(value));
      return Buffer.from(this.#metadata.get(name) ?? value);
    });
  }

  applyBatch(writes: readonly StoreWrite[]): Promise<void> {
    return settle(() => {
      requireWellFormedBatch(writes);
      const undo = new UndoLog();
      try {
        for (const write of writes) this.#apply(write, undo);
      } catch (error) {
        undo.rollback();
        throw error;
      }
    });
  }

  close(): Promise<void> {
    // Nothing to release: the records go when the store is garbage.
    return Promise.resolve();
  }

  #apply(write: StoreWrite, undo: UndoLog): void {
    switch (write.kind) {
      case 'create-key':
        return this.#createKey(write, undo);
      case 'update-key':
        return this.#updateKey(write, undo);
      case 'add-key-version':
        return this.#addKeyVersion(write, undo);
      case 'replace-key-material':
        return this.#replaceKeyMaterial(write, undo);
      case 'delete-key':
        return this.#deleteKey(write, undo);
      case 'require-key-revision':
        return this.#requireRevision(write.keyId, write.expectedRevision);
      case 'create-alias':
        return this.#createAlias(write, undo);
      case 'update-alias':
        return this.#updateAlias(write, undo);
      case 'delete-alias':
        return this.#deleteAlias(write, undo);
      case 'put-access-key':
        return undo.set(this.#accessKeys, write.record.accessKeyId, copyAccessKey(write.record));
      case 'put-metadata':
        return undo.set(this.#metadata, write.name, Buffer.from(write.value));
      default:
        return unknownWrite(write);
    }
  }

  #createKey({ key, firstVersion }: CreateKeyWrite, undo: UndoLog): void {
    if (this.#keys.has(key.keyId)) throw new StoreConflictError('exists', `key ${key.keyId}`);
    this.#requireNewVersionId(firstVersion);
    undo.set(this.#keys, key.keyId, copyKey(key));
    this.#addVersion(firstVersion, undo);
  }

  #updateKey({ key, expectedRevision }: UpdateKeyWrite, undo: UndoLog): void {
    this.#requireRevision(key.keyId, expectedRevision);
    undo.set(this.#keys, key.keyId, copyKey(key));
  }

  #addKeyVersion({ key, version, expectedRevision }: AddKeyVersionWrite, undo: UndoLog): void {
    this.#requireRevision(key.keyId, expectedRevision);
    this.#requireNewVersionId(version);
    undo.set(this.#keys, key.keyId, copyKey(key));
    this.#addVersion(version, undo);
  }

  #replaceKeyMaterial({ key, version, expectedRevision }: ReplaceKeyMaterialWrite, undo: UndoLog): void {
    this.#requireRevision(key.keyId, expectedRevision);
    const stored = this.#versions.get(version.keyVersionId);
    requireVersionOf(key, version, stored?.version);
    undo.set(this.#keys, key.keyId, copyKey(key));
    const replaced = copyVersion({ ...version, creationDate: stored.version.creationDate });
    undo.set(this.#versions, version.keyVersionId, { version: replaced, addedAs: stored.addedAs });
  }

  #deleteKey({ keyId, expectedRevision }: DeleteKeyWrite, undo: UndoLog): void {
    this.#requireRevision(keyId, expectedRevision);
    undo.delete(this.#keys, keyId);
    for (const [id, { version }] of this.#versions) if (version.keyId === keyId) undo.delete(this.#versions, id);
    for (const [name, alias] of this.#aliases) if (alias.keyId === keyId) undo.delete(this.#aliases, name);
  }

  #createAlias({ alias }: CreateAliasWrite, undo: UndoLog): void {
    if (this.#aliases.has(alias.aliasName)) throw new StoreConflictError('alias-exists', alias.aliasName);
    this.#requireKeyExists(alias.keyId);
    undo.set(this.#aliases, alias.aliasName, copyAlias(alias));
  }

  #updateAlias({ aliasName, keyId }: UpdateAliasWrite, undo: UndoLog): void {
    const alias = this.#aliases.get(aliasName);
    if (alias === undefined) throw new StoreConflictError('alias-missing', aliasName);
    this.#requireKeyExists(keyId);
    undo.set(this.#aliases, aliasName, { ...alias, keyId });
  }

  #deleteAlias({ aliasName }: DeleteAliasWrite, undo: UndoLog): void {
    if (!this.#aliases.has(aliasName)) throw new StoreConflictError('alias-missing', aliasName);
    undo.delete(this.#aliases, aliasName);
  }

  #addVersion(version: KeyVersion, undo: UndoLog): void {
    this.#versionsAdded += 1;
    undo.set(this.#versions, version.keyVersionId, { version: copyVersion(version), addedAs: this.#versionsAdded });
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
