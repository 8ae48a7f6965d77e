import type { AccessKeyStore, CommitObserver, HasIdentityStore, KeyInventory, KeyStore, MetadataStore } from '../domain/ports.js';
import type { DatabaseConfig } from '../config/arca-config.js';
import { SqliteKeyStore } from '../keystore/sqlite/sqlite-key-store.js';
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

function openSqliteStore(dataDir: string): ArcaStore {
  const path = databasePathIn(dataDir);
  createPrivateFileIfMissing(path);
  return SqliteKeyStore.open(path);
}
