import { ThreadedSqliteAuditStore } from '../audit/threaded-sqlite-audit-store.js';
import type { AccessKeyStore, AuditStore, KeyStore, MetadataStore } from '../domain/ports.js';
import type { DatabaseConfig } from '../config/arca-config.js';
import { SqliteKeyStore } from '../keystore/sqlite/sqlite-key-store.js';
import { createPrivateFileIfMissing, databasePathIn } from './data-directory.js';

/** What a server needs of its store: keys, access keys, metadata (the root-key check), and a close. */
export type ArcaStore = KeyStore & AccessKeyStore & MetadataStore & { close(): Promise<void> };

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
