// The SQLite AuditStore: the contract, and the append-only table the migration makes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteAuditStore } from '../../src/audit/sqlite-audit-store.js';
import { ThreadedSqliteAuditStore } from '../../src/audit/threaded-sqlite-audit-store.js';
import { describeAuditStoreContract } from './audit-store-contract.js';
import { migratedDatabase } from './trail-fixtures.js';

describeAuditStoreContract('SqliteAuditStore', async () => {
  const { path, remove } = await migratedDatabase();
  const store = SqliteAuditStore.open(path);
  return {
    store,
    openAgain: () => Promise.resolve(SqliteAuditStore.openForReading(path)),
    cleanup: async () => {
      await store.close();
      remove();
    },
  };
});

describeAuditStoreContract('ThreadedSqliteAuditStore (writes on a worker thread)', async () => {
  const { path, remove } = await migratedDatabase();
  const store = await ThreadedSqliteAuditStore.open(path);
  return {
    store,
    openAgain: () => Promise.resolve(SqliteAuditStore.openForReading(path)),
    cleanup: async () => {
      await store.close();
      remove();
    },
  };
});

void describe('SqliteAuditStore (SQLite only)', () => {
  it('the tables refuse an update, and a delete that no retention checkpoint covers', async () => {
    const { path, remove } = await migratedDatabase();
    const store = SqliteAuditStore.open(path);
    try {
      await store.append([{ chainId: 'c', sequence: 1, previousHash: '0'.repeat(64), hash: 'a'.repeat(64), eventTime: 1, body: '{}' }]);
      await store.appendCheckpoint({
        chainId: 'c',
        sequence: 1,
        headHash: 'a'.repeat(64),
        time: 1,
        kind: 'interval',
        keyId: 'k',
        signature: Buffer.alloc(64),
      });
      const db = new Database(path);
      try {
        assert.throws(() => db.prepare('UPDATE audit_records SET body = \'{"x":1}\'').run(), /append-only/);
        assert.throws(() => db.prepare('DELETE FROM audit_records').run(), /retention checkpoint/);
        assert.throws(() => db.prepare('DELETE FROM audit_checkpoints').run(), /append-only/);
        assert.throws(() => db.prepare("UPDATE audit_checkpoints SET kind = 'final'").run(), /append-only/);
      } finally {
        db.close();
      }
    } finally {
      await store.close();
      remove();
    }
  });

  it('a reading handle writes nothing: it refuses an append', async () => {
    const { path, remove } = await migratedDatabase();
    const reader = SqliteAuditStore.openForReading(path);
    try {
      await assert.rejects(
        reader.append([{ chainId: 'c', sequence: 1, previousHash: '0'.repeat(64), hash: 'a'.repeat(64), eventTime: 1, body: '{}' }]),
      );
    } finally {
      await reader.close();
      remove();
    }
  });
});
