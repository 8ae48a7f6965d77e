import Database from 'better-sqlite3';
import type { Alias, Key, KeyVersion } from '../../domain/key.js';
import {
  StoreConflictError,
  type AccessKeyRecord,
  type AccessKeyStore,
  type AddKeyVersionWrite,
  type CreateKeyWrite,
  type HasIdentityStore,
  type CommitObserver,
  type KeyCountRow,
  type KeyFilter,
  type KeyInventory,
  type KeyStore,
  type MetadataStore,
  type Page,
  type PageOf,
  type ReplaceKeyMaterialWrite,
  type StoreWrite,
} from '../../domain/ports.js';
import {
  offsetOf,
  requireValidLimit,
  requireValidPage,
  requireVersionOf,
  requireWellFormedBatch,
  settle,
  unknownWrite,
} from '../store-support.js';
import { applyMigrations } from './migrations.js';
import { SqliteIdentityStore } from './sqlite-identity-store.js';
import * as sql from './queries.js';
import {
  accessKeyToRow,
  aliasToRow,
  keyToRow,
  keyVersionToRow,
  rowToAccessKey,
  rowToAlias,
  rowToKey,
  rowToKeyVersion,
  type AccessKeyRow,
  type AliasRow,
  type CountRow,
  type KeyRow,
  type KeyVersionRow,
  type MetadataRow,
} from './rows.js';

/** How long a write waits for another connection (or process) to release the file. */
const BUSY_TIMEOUT_MS = 5000;
/**
 * How long the WAL truncation after a destruction waits for other connections' readers. It runs
 * on the event loop after a commit, so it must not wait as long as a write may; when it cannot
 * finish in time it is tried again after the next commit.
 */
const WAL_TRUNCATION_TIMEOUT_MS = 250;

const SYNCHRONOUS_LEVELS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const;
type SynchronousLevel = (typeof SYNCHRONOUS_LEVELS)[number];

/** The connection settings as SQLite reports them, for diagnostics and tests. */
export interface ConnectionSettings {
  readonly journalMode: string;
  readonly synchronous: SynchronousLevel | 'unknown';
  readonly foreignKeys: boolean;
  readonly busyTimeoutMs: number;
  readonly secureDelete: boolean;
}

/** What `PRAGMA wal_checkpoint` answers: `busy` is 1 when it could not finish. */
interface CheckpointRow {
  readonly busy: number;
  readonly log: number;
  readonly checkpointed: number;
}

interface PageParameters {
  limit: number;
  offset: number;
}

interface DueParameters {
  now: number;
  limit: number;
}

/** Each filter is a JSON array of accepted values, or null for any value. */
interface KeyFilterParameters {
  key_states: string | null;
  key_specs: string | null;
  key_usages: string | null;
  protection_levels: string | null;
  tag_keys: string | null;
  tag_values: string | null;
}

function prepareStatements(db: Database.Database) {
  return {
    insertKey: db.prepare<KeyRow>(sql.INSERT_KEY),
    selectKey: db.prepare<[string], KeyRow>(sql.SELECT_KEY),
    selectKeyRevision: db.prepare<[string], Pick<KeyRow, 'revision'>>(sql.SELECT_KEY_REVISION),
    updateKeyAtRevision: db.prepare<KeyRow & { expected_revision: number }>(sql.UPDATE_KEY_AT_REVISION),
    deleteKeyAtRevision: db.prepare<{ key_id: string; expected_revision: number }>(sql.DELETE_KEY_AT_REVISION),
    selectKeysDueForRotation: db.prepare<DueParameters, KeyRow>(sql.SELECT_KEYS_DUE_FOR_ROTATION),
    selectKeysDueForDeletion: db.prepare<DueParameters, KeyRow>(sql.SELECT_KEYS_DUE_FOR_DELETION),
    selectKeysDueForMaterialExpiry: db.prepare<DueParameters, KeyRow>(sql.SELECT_KEYS_DUE_FOR_MATERIAL_EXPIRY),
    countKeysMatching: db.prepare<KeyFilterParameters, CountRow>(sql.COUNT_KEYS_MATCHING),
    selectKeysPage: db.prepare<KeyFilterParameters & PageParameters, KeyRow>(sql.SELECT_KEYS_PAGE),

    insertKeyVersion: db.prepare<KeyVersionRow>(sql.INSERT_KEY_VERSION),
    updateKeyVersionMaterial: db.prepare<Omit<KeyVersionRow, 'creation_date'>>(sql.UPDATE_KEY_VERSION_MATERIAL),
    selectKeyVersion: db.prepare<[string], KeyVersionRow>(sql.SELECT_KEY_VERSION),
    countKeyVersions: db.prepare<[string], CountRow>(sql.COUNT_KEY_VERSIONS),
    selectKeyVersionsPage: db.prepare<{ key_id: string } & PageParameters, KeyVersionRow>(sql.SELECT_KEY_VERSIONS_PAGE),

    insertAlias: db.prepare<AliasRow>(sql.INSERT_ALIAS),
    selectAlias: db.prepare<[string], AliasRow>(sql.SELECT_ALIAS),
    updateAliasTarget: db.prepare<Omit<AliasRow, 'creation_date'>>(sql.UPDATE_ALIAS_TARGET),
    deleteAlias: db.prepare<[string]>(sql.DELETE_ALIAS),
    countAliases: db.prepare<[], CountRow>(sql.COUNT_ALIASES),
    selectAliasesPage: db.prepare<PageParameters, AliasRow>(sql.SELECT_ALIASES_PAGE),
    countAliasesOfKey: db.prepare<[string], CountRow>(sql.COUNT_ALIASES_OF_KEY),
    selectAliasesOfKeyPage: db.prepare<{ key_id: string } & PageParameters, AliasRow>(sql.SELECT_ALIASES_OF_KEY_PAGE),

    selectAccessKey: db.prepare<[string], AccessKeyRow>(sql.SELECT_ACCESS_KEY),
    upsertAccessKey: db.prepare<AccessKeyRow>(sql.UPSERT_ACCESS_KEY),
    countAccessKeys: db.prepare<[], CountRow>(sql.COUNT_ACCESS_KEYS),
    countKeysByStateSpecProtection: db.prepare<[], KeyCountDbRow>(sql.COUNT_KEYS_BY_STATE_SPEC_PROTECTION),
    countAllKeyVersions: db.prepare<[], CountRow>(sql.COUNT_ALL_KEY_VERSIONS),

    selectMetadata: db.prepare<[string], MetadataRow>(sql.SELECT_METADATA),
    upsertMetadata: db.prepare<{ name: string; value: Buffer }>(sql.UPSERT_METADATA),
    insertMetadataIfAbsent: db.prepare<{ name: string; value: Buffer }>(sql.INSERT_METADATA_IF_ABSENT),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/**
 * Durability and sharing come before speed here: an acknowledged key must survive power loss,
 * and other processes may open the same file.
 */
function configureConnection(db: Database.Database): void {
  db.pragma(sql.SET_BUSY_TIMEOUT(BUSY_TIMEOUT_MS));
  const journalMode = db.pragma(sql.SET_JOURNAL_MODE_WAL, { simple: true });
  if (journalMode !== 'wal') throw new Error(`SQLite refused WAL journal mode (got ${String(journalMode)})`);
  // In WAL mode NORMAL may lose the last commits on power loss; FULL syncs the WAL on every commit.
  db.pragma(sql.SET_SYNCHRONOUS_FULL);
  db.pragma(sql.SET_FOREIGN_KEYS_ON);
  // A deleted row's bytes would otherwise stay in the freed space of its page until reused: a
  // destroyed key's sealed material would still be in the file, and the root key opens it.
  // With secure_delete SQLite overwrites deleted content with zeros (see #truncateWal for the WAL).
  db.pragma(sql.SET_SECURE_DELETE_ON);
}

/** Whether committing `write` destroys sealed key material (a deleted key, or material removed). */
function destroysKeyMaterial(write: StoreWrite): boolean {
  return write.kind === 'delete-key' || (write.kind === 'replace-key-material' && write.version.material === null);
}

// Conflicts are recognised by SQLite's extended result code, never by the message text.
const CONSTRAINT_CODES = ['SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_FOREIGNKEY'] as const;
type ConstraintCode = (typeof CONSTRAINT_CODES)[number];

function constraintCodeOf(error: unknown): ConstraintCode | undefined {
  if (!(error instanceof Database.SqliteError)) return undefined;
  return CONSTRAINT_CODES.find((code) => code === error.code);
}

/** Runs one statement, turning the named constraint failures into the conflicts they mean. */
function runOrConflict<T>(run: () => T, conflicts: Partial<Record<ConstraintCode, () => StoreConflictError>>): T {
  try {
    return run();
  } catch (error) {
    const code = constraintCodeOf(error);
    const conflict = code && conflicts[code];
    throw conflict ? conflict() : error;
  }
}

/** A JSON array for the filter parameter, or null when the field places no constraint. */
function filterValues(values: readonly string[] | undefined): string | null {
  return values === undefined || values.length === 0 ? null : JSON.stringify(values);
}

function filterParameters(filter: KeyFilter): KeyFilterParameters {
  return {
    key_states: filterValues(filter.keyState),
    key_specs: filterValues(filter.keySpec),
    key_usages: filterValues(filter.keyUsage),
    protection_levels: filterValues(filter.protectionLevel),
    tag_keys: filterValues(filter.tagKey),
    tag_values: filterValues(filter.tagValue),
  };
}

function pageParameters(page: Page): PageParameters {
  return { limit: page.pageSize, offset: offsetOf(page) };
}

function countOf(row: CountRow | undefined): number {
  return row?.total_count ?? 0;
}

interface KeyCountDbRow {
  readonly key_state: string;
  readonly key_spec: string;
  readonly protection_level: string;
  readonly key_count: number;
}

interface QueuedWrite {
  readonly work: () => unknown;
  /** Once it commits, the WAL is truncated, so that no earlier frame keeps what it destroyed. */
  readonly destroysMaterial: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The embedded KeyStore: one SQLite file, WAL journal, every commit synced to disk.
 *
 * better-sqlite3 is synchronous; this class keeps that inside. Every port method runs as one
 * SQLite transaction and hands back a promise, settled only after COMMIT returned, so callers
 * are written for an asynchronous, transactional store and a networked one can replace it.
 * Writes begin IMMEDIATE: in WAL mode a transaction that starts reading and later writes can fail
 * at once with SQLITE_BUSY when another connection wrote in between, without waiting for the busy
 * timeout; taking the write lock first makes writers queue instead.
 *
 * Group commit. Each commit waits for the disk (synchronous=FULL), a few milliseconds during
 * which the event loop is blocked. So writes are not committed one by one: each is queued, and
 * once per turn of the event loop every write queued in that turn runs in one IMMEDIATE
 * transaction, each inside its own savepoint — a write that throws (a conflict) is rolled back
 * alone, and the others commit. Every promise settles only after that COMMIT returned, so a
 * resolved write is as durable as before; under load one disk flush serves many requests.
 *
 * A batch (`applyBatch`) is one queued write like any other: all its writes run, in order,
 * inside its one savepoint, so it commits whole or is rolled back whole, and the single-write
 * methods are batches of one. Its work is synchronous and holds no savepoint open across an
 * await, which is what keeps the writes of one group from seeing each other half done.
 *
 * Destruction. A group that destroyed key material (a key deleted, imported material removed) is
 * followed, before its promises settle, by a checkpoint that truncates the WAL: secure_delete has
 * zeroed the rows' bytes in their pages, and the checkpoint moves those pages into the database
 * file and drops every older WAL frame that still held the material. So when a deletion resolves,
 * the sealed material is in none of the store's files.
 */
export class SqliteKeyStore implements KeyStore, AccessKeyStore, MetadataStore, HasIdentityStore, KeyInventory {
  readonly #db: Database.Database;
  readonly #statements: Statements;
  /** RAM identities, in the same file and the same group commit (docs/adr/0027). */
  readonly identities: SqliteIdentityStore;
  #queuedWrites: QueuedWrite[] = [];
  #flushScheduled = false;
  /** A WAL truncation after a destruction could not finish (another connection was reading). */
  #walTruncationOwed = false;
  #commitObserver: CommitObserver | undefined;

  private constructor(db: Database.Database) {
    this.#db = db;
    this.#statements = prepareStatements(db);
    this.identities = new SqliteIdentityStore(db, {
      write: (work) => this.#write(work),
      read: (work) => this.#read(work),
      readOne: (work) => this.#readOne(work),
    });
  }

  /** Opens (creating when absent) the database file and brings its schema up to date. */
  static open(filePath: string): SqliteKeyStore {
    const db = new Database(filePath, { timeout: BUSY_TIMEOUT_MS });
    try {
      configureConnection(db);
      applyMigrations(db);
      return new SqliteKeyStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  createKey(key: Key, firstVersion: KeyVersion): Promise<void> {
    return this.applyBatch([{ kind: 'create-key', key, firstVersion }]);
  }

  getKey(keyId: string): Promise<Key | undefined> {
    return this.#readOne(() => {
      const row = this.#statements.selectKey.get(keyId);
      return row && rowToKey(row);
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
    return this.#read(() => {
      requireValidPage(page);
      const filterBy = filterParameters(filter);
      const totalCount = countOf(this.#statements.countKeysMatching.get(filterBy));
      const rows = this.#statements.selectKeysPage.all({ ...filterBy, ...pageParameters(page) });
      return { items: rows.map(rowToKey), totalCount };
    });
  }

  listKeysDueForRotation(nowMs: number, limit: number): Promise<Key[]> {
    return this.#read(() => {
      requireValidLimit(limit);
      return this.#statements.selectKeysDueForRotation.all({ now: nowMs, limit }).map(rowToKey);
    });
  }

  listKeysDueForDeletion(nowMs: number, limit: number): Promise<Key[]> {
    return this.#read(() => {
      requireValidLimit(limit);
      return this.#statements.selectKeysDueForDeletion.all({ now: nowMs, limit }).map(rowToKey);
    });
  }

  listKeysDueForMaterialExpiry(nowMs: number, limit: number): Promise<Key[]> {
    return this.#read(() => {
      requireValidLimit(limit);
      return this.#statements.selectKeysDueForMaterialExpiry.all({ now: nowMs, limit }).map(rowToKey);
    });
  }

  replaceKeyMaterial(key: Key, version: KeyVersion, expectedRevision: number): Promise<void> {
    return this.applyBatch([{ kind: 'replace-key-material', key, version, expectedRevision }]);
  }

  getKeyVersion(keyVersionId: string): Promise<KeyVersion | undefined> {
    return this.#readOne(() => {
      const row = this.#statements.selectKeyVersion.get(keyVersionId);
      return row && rowToKeyVersion(row);
    });
  }

  listKeyVersions(keyId: string, page: Page): Promise<PageOf<KeyVersion>> {
    return this.#read(() => {
      requireValidPage(page);
      const totalCount = countOf(this.#statements.countKeyVersions.get(keyId));
      const rows = this.#statements.selectKeyVersionsPage.all({ key_id: keyId, ...pageParameters(page) });
      return { items: rows.map(rowToKeyVersion), totalCount };
    });
  }

  createAlias(alias: Alias): Promise<void> {
    return this.applyBatch([{ kind: 'create-alias', alias }]);
  }

  getAlias(aliasName: string): Promise<Alias | undefined> {
    return this.#readOne(() => {
      const row = this.#statements.selectAlias.get(aliasName);
      return row && rowToAlias(row);
    });
  }

  updateAlias(aliasName: string, keyId: string): Promise<void> {
    return this.applyBatch([{ kind: 'update-alias', aliasName, keyId }]);
  }

  deleteAlias(aliasName: string): Promise<void> {
    return this.applyBatch([{ kind: 'delete-alias', aliasName }]);
  }

  listAliases(page: Page, keyId?: string): Promise<PageOf<Alias>> {
    return this.#read(() => {
      requireValidPage(page);
      const { totalCount, rows } = keyId === undefined ? this.#allAliases(page) : this.#aliasesOfKey(keyId, page);
      return { items: rows.map(rowToAlias), totalCount };
    });
  }

  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    return this.#readOne(() => {
      const row = this.#statements.selectAccessKey.get(accessKeyId);
      return row && rowToAccessKey(row);
    });
  }

  putAccessKey(record: AccessKeyRecord): Promise<void> {
    return this.applyBatch([{ kind: 'put-access-key', record }]);
  }

  countAccessKeys(): Promise<number> {
    return this.#read(() => countOf(this.#statements.countAccessKeys.get()));
  }

  countKeys(): Promise<KeyCountRow[]> {
    return this.#read(() =>
      this.#statements.countKeysByStateSpecProtection.all().map((row) => ({
        keyState: row.key_state,
        keySpec: row.key_spec,
        protectionLevel: row.protection_level,
        count: row.key_count,
      })),
    );
  }

  countKeyVersions(): Promise<number> {
    return this.#read(() => countOf(this.#statements.countAllKeyVersions.get()));
  }

  /**
   * Tells `observer` of every group commit: how many queued writes it held and how long the
   * transaction took, disk flush included (the metrics' store histograms).
   */
  observeCommits(observer: CommitObserver): void {
    this.#commitObserver = observer;
  }

  getMetadata(name: string): Promise<Buffer | undefined> {
    return this.#readOne(() => this.#statements.selectMetadata.get(name)?.value);
  }

  putMetadata(name: string, value: Buffer): Promise<void> {
    return this.applyBatch([{ kind: 'put-metadata', name, value }]);
  }

  putMetadataIfAbsent(name: string, value: Buffer): Promise<Buffer> {
    return this.#write(() => {
      this.#statements.insertMetadataIfAbsent.run({ name, value });
      const stored = this.#statements.selectMetadata.get(name)?.value;
      if (stored === undefined) throw new Error(`metadata ${name} vanished inside its transaction`);
      return stored;
    });
  }

  applyBatch(writes: readonly StoreWrite[]): Promise<void> {
    // Nothing to commit: no place in the queue, no flush.
    if (writes.length === 0) return Promise.resolve();
    return this.#write(() => {
      requireWellFormedBatch(writes);
      for (const write of writes) this.#apply(write);
    }, writes.some(destroysKeyMaterial));
  }

  close(): Promise<void> {
    this.#commitQueuedWrites();
    return settle(() => {
      this.#db.close();
    });
  }

  /** The pragmas as this connection reports them. */
  connectionSettings(): Promise<ConnectionSettings> {
    return settle(() => ({
      journalMode: String(this.#db.pragma(sql.PRAGMA_JOURNAL_MODE, { simple: true })),
      synchronous: SYNCHRONOUS_LEVELS[Number(this.#db.pragma(sql.PRAGMA_SYNCHRONOUS, { simple: true }))] ?? 'unknown',
      foreignKeys: this.#db.pragma(sql.PRAGMA_FOREIGN_KEYS, { simple: true }) === 1,
      busyTimeoutMs: Number(this.#db.pragma(sql.PRAGMA_BUSY_TIMEOUT, { simple: true })),
      secureDelete: this.#db.pragma(sql.PRAGMA_SECURE_DELETE, { simple: true }) === 1,
    }));
  }

  /** Queues `work` for the next group commit (see the class comment). */
  #write<T>(work: () => T, destroysMaterial = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queuedWrites.push({ work, destroysMaterial, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#commitQueuedWrites());
      }
    });
  }

  /**
   * BEGIN IMMEDIATE, each queued write in a savepoint (better-sqlite3 nests transactions that
   * way), COMMIT; then every promise settles. If the transaction itself fails (BEGIN or COMMIT:
   * busy, disk full), every write of the batch is refused with that error and none took effect.
   * After a COMMIT that destroyed key material, the WAL is truncated before the promises settle.
   */
  #commitQueuedWrites(): void {
    this.#flushScheduled = false;
    const batch = this.#queuedWrites;
    this.#queuedWrites = [];
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    const startedMs = performance.now();
    try {
      this.#db
        .transaction(() => {
          outcomes.length = 0;
          for (const { work } of batch) {
            try {
              outcomes.push({ ok: true, value: this.#db.transaction(work)() });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        })
        .immediate();
    } catch (error) {
      for (const { reject } of batch) reject(error);
      return;
    }
    this.#commitObserver?.(batch.length, performance.now() - startedMs);
    const destroyed = batch.some(({ destroysMaterial }, index) => destroysMaterial && outcomes[index]?.ok === true);
    if (destroyed || this.#walTruncationOwed) this.#truncateWal();
    batch.forEach(({ resolve, reject }, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok === true) resolve(outcome.value);
      else reject(outcome?.error ?? new Error('write lost from its batch'));
    });
  }

  /**
   * Checkpoints the WAL into the database file and truncates it to zero bytes. In WAL mode a
   * committed page reaches arca.db only at a checkpoint, and the WAL keeps the frames of earlier
   * commits (the material as it was inserted) until they are overwritten; truncation is what
   * removes them. It waits at most WAL_TRUNCATION_TIMEOUT_MS for readers of other connections to
   * leave the WAL; when it cannot finish (busy, or an I/O error), the writes have committed all
   * the same, so it is owed and tried again after the next commit.
   */
  #truncateWal(): void {
    // Nothing here may throw: the group's promises settle after it.
    try {
      this.#db.pragma(sql.SET_BUSY_TIMEOUT(WAL_TRUNCATION_TIMEOUT_MS));
      try {
        const [result] = this.#db.pragma(sql.WAL_CHECKPOINT_TRUNCATE) as CheckpointRow[];
        this.#walTruncationOwed = result?.busy !== 0;
      } finally {
        this.#db.pragma(sql.SET_BUSY_TIMEOUT(BUSY_TIMEOUT_MS));
      }
    } catch {
      this.#walTruncationOwed = true;
    }
  }

  /** A read of several statements, in one deferred transaction so that they see one snapshot. */
  #read<T>(work: () => T): Promise<T> {
    return settle(() => this.#db.transaction(work).deferred());
  }

  /**
   * A read of one statement: SQLite runs a lone statement atomically in its own implicit
   * transaction, so the explicit BEGIN and COMMIT would only cost time (the access key is read on
   * every request).
   */
  #readOne<T>(work: () => T): Promise<T> {
    return settle(work);
  }

  /** Runs one write of a batch inside the batch's savepoint; a throw rolls back the whole batch. */
  #apply(write: StoreWrite): void {
    switch (write.kind) {
      case 'create-key':
        return this.#createKey(write);
      case 'update-key':
        return this.#updateAtRevision(write.key, write.expectedRevision);
      case 'add-key-version':
        return this.#addKeyVersion(write);
      case 'replace-key-material':
        return this.#replaceKeyMaterial(write);
      case 'delete-key':
        return this.#deleteAtRevision(write.keyId, write.expectedRevision);
      case 'require-key-revision':
        return this.#requireRevision(write.keyId, write.expectedRevision);
      case 'create-alias':
        return this.#createAlias(write.alias);
      case 'update-alias':
        return this.#updateAlias(write.aliasName, write.keyId);
      case 'delete-alias':
        return this.#deleteAlias(write.aliasName);
      case 'put-access-key':
        this.#statements.upsertAccessKey.run(accessKeyToRow(write.record));
        return;
      case 'put-metadata':
        this.#statements.upsertMetadata.run({ name: write.name, value: write.value });
        return;
      default:
        return unknownWrite(write);
    }
  }

  #createKey({ key, firstVersion }: CreateKeyWrite): void {
    runOrConflict(() => this.#statements.insertKey.run(keyToRow(key)), {
      SQLITE_CONSTRAINT_PRIMARYKEY: () => new StoreConflictError('exists', `key ${key.keyId}`),
    });
    this.#insertVersion(firstVersion);
  }

  #addKeyVersion({ key, version, expectedRevision }: AddKeyVersionWrite): void {
    this.#updateAtRevision(key, expectedRevision);
    this.#insertVersion(version);
  }

  #replaceKeyMaterial({ key, version, expectedRevision }: ReplaceKeyMaterialWrite): void {
    this.#updateAtRevision(key, expectedRevision);
    const stored = this.#statements.selectKeyVersion.get(version.keyVersionId);
    requireVersionOf(key, version, stored && rowToKeyVersion(stored));
    const row = keyVersionToRow(version);
    this.#statements.updateKeyVersionMaterial.run({
      key_version_id: row.key_version_id,
      key_id: row.key_id,
      protection_kind: row.protection_kind,
      sealed_material: row.sealed_material,
      material_commitment: row.material_commitment,
    });
  }

  #deleteAtRevision(keyId: string, expectedRevision: number): void {
    const { changes } = this.#statements.deleteKeyAtRevision.run({ key_id: keyId, expected_revision: expectedRevision });
    if (changes === 0) this.#throwRevisionConflict(keyId, expectedRevision);
  }

  // The batch runs under the write lock (BEGIN IMMEDIATE), so the revision read here cannot
  // change before the batch commits.
  #requireRevision(keyId: string, expectedRevision: number): void {
    const stored = this.#statements.selectKeyRevision.get(keyId);
    if (stored?.revision !== expectedRevision) this.#throwRevisionConflict(keyId, expectedRevision);
  }

  #createAlias(alias: Alias): void {
    runOrConflict(() => this.#statements.insertAlias.run(aliasToRow(alias)), {
      SQLITE_CONSTRAINT_PRIMARYKEY: () => new StoreConflictError('alias-exists', alias.aliasName),
      SQLITE_CONSTRAINT_FOREIGNKEY: () => new StoreConflictError('missing', `key ${alias.keyId}`),
    });
  }

  #updateAlias(aliasName: string, keyId: string): void {
    const { changes } = runOrConflict(() => this.#statements.updateAliasTarget.run({ alias_name: aliasName, key_id: keyId }), {
      SQLITE_CONSTRAINT_FOREIGNKEY: () => new StoreConflictError('missing', `key ${keyId}`),
    });
    // No row changed: the alias does not exist (a missing target key fails above only when it does).
    if (changes === 0) throw new StoreConflictError('alias-missing', aliasName);
  }

  #deleteAlias(aliasName: string): void {
    const { changes } = this.#statements.deleteAlias.run(aliasName);
    if (changes === 0) throw new StoreConflictError('alias-missing', aliasName);
  }

  /** Stores `key` over the revision the writer read, or says why it cannot. */
  #updateAtRevision(key: Key, expectedRevision: number): void {
    const { changes } = this.#statements.updateKeyAtRevision.run({ ...keyToRow(key), expected_revision: expectedRevision });
    if (changes === 0) this.#throwRevisionConflict(key.keyId, expectedRevision);
  }

  /** Why a write conditioned on `expectedRevision` changed no row. */
  #throwRevisionConflict(keyId: string, expectedRevision: number): never {
    const stored = this.#statements.selectKeyRevision.get(keyId);
    if (stored === undefined) throw new StoreConflictError('missing', `key ${keyId}`);
    throw new StoreConflictError('stale-revision', `key ${keyId} is at revision ${stored.revision}, not ${expectedRevision}`);
  }

  #insertVersion(version: KeyVersion): void {
    runOrConflict(() => this.#statements.insertKeyVersion.run(keyVersionToRow(version)), {
      SQLITE_CONSTRAINT_PRIMARYKEY: () => new StoreConflictError('exists', `key version ${version.keyVersionId}`),
    });
  }

  #allAliases(page: Page): { totalCount: number; rows: AliasRow[] } {
    return {
      totalCount: countOf(this.#statements.countAliases.get()),
      rows: this.#statements.selectAliasesPage.all(pageParameters(page)),
    };
  }

  #aliasesOfKey(keyId: string, page: Page): { totalCount: number; rows: AliasRow[] } {
    return {
      totalCount: countOf(this.#statements.countAliasesOfKey.get(keyId)),
      rows: this.#statements.selectAliasesOfKeyPage.all({ key_id: keyId, ...pageParameters(page) }),
    };
  }
}
