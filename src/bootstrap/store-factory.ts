import { ThreadedSqliteAuditStore } from '../audit/threaded-sqlite-audit-store.js';
import type {
  AccessKeyStore,
  AuditStore,
  CommitObserver,
  HasIdentityStore,
  KeyInventory,
  KeyStore,
  MetadataStore,
} from '../domain/ports.js';
import type { DatabaseConfig } from '../config/arca-config.js';
import { SqliteKeyStore } from '../keystore/sqlite/sqlite-key-store.js';
import { sqliteHoldsMetadata } from '../keystore/sqlite/sqlite-peek.js';
import { createPrivateFileIfMissing, databasePathIn } from './data-directory.js';

/**
 * What a server needs of its store: keys, access keys, metadata (the root-key check), RAM
 * identities, and a close; what the metrics read when the store offers it: the inventory and its
 * commits.
 */
export type ArcaStore = KeyStore &
  AccessKeyStore &
  MetadataStore &
  HasIdentityStore & { close(): Promise<void> } & Partial<KeyInventory> & { observeCommits?(observer: CommitObserver): void };

/**
 * Opens (and on first use creates) the store the configuration names; the schema is migrated on
 * open. A new kind of database (PostgreSQL) is one more case here.
 */
export function openStore(database: DatabaseConfig, dataDir: string): Promise<ArcaStore> {
  switch (database.kind) {
    case 'sqlite':
      return Promise.resolve(openSqliteStore(dataDir));
  }
}

/**
 * Whether the store already holds the metadata record `name` (the root-key check: data sealed
 * under some root key), looked at without opening the store for use: nothing is created or migrated.
 */
export function storeHoldsMetadata(database: DatabaseConfig, dataDir: string, name: string): Promise<boolean> {
  switch (database.kind) {
    case 'sqlite':
      return Promise.resolve(sqliteHoldsMetadata(databasePathIn(dataDir), name));
  }
}

function openSqliteStore(dataDir: string): ArcaStore {
  const path = databasePathIn(dataDir);
  createPrivateFileIfMissing(path);
  return SqliteKeyStore.open(path);
}

/**
 * The audit trail's store in the same database; open it after `openStore`, which migrates the
 * schema. SQLite writes it from a worker thread, so its disk flushes do not stall requests.
 */
export function openAuditStore(database: DatabaseConfig, dataDir: string): Promise<AuditStore> {
  switch (database.kind) {
    case 'sqlite':
      return ThreadedSqliteAuditStore.open(databasePathIn(dataDir));
  }
}
