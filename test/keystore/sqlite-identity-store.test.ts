import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { applyMigrations, MIGRATIONS } from '../../src/keystore/sqlite/migrations.js';
import { accessKeyToRow } from '../../src/keystore/sqlite/rows.js';
import { SqliteKeyStore } from '../../src/keystore/sqlite/sqlite-key-store.js';
import { makeAccessKey } from './fixtures.js';
import { describeIdentityStoreContract, makeUser } from './identity-store-contract.js';

describeIdentityStoreContract('SqliteKeyStore', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-sqlite-identities-'));
  const file = path.join(dir, 'arca.db');
  const store = SqliteKeyStore.open(file);
  return Promise.resolve({
    store,
    cleanup: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    // A second connection to the file: it reads only what was committed.
    openAgain: () => {
      const other = SqliteKeyStore.open(file);
      return Promise.resolve({ store: other, close: () => other.close() });
    },
  });
});

void describe('migration 5 (RAM identities)', () => {
  void it('keeps a schema-4 database’s access keys and metadata, and starts with no identities at revision 0', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-sqlite-migration-5-'));
    const file = path.join(dir, 'arca.db');
    try {
      const admin = makeAccessKey({ principal: 'admin' });
      const db = new Database(file);
      db.pragma('foreign_keys = ON');
      applyMigrations(db, MIGRATIONS.slice(0, 4));
      db.prepare(
        'INSERT INTO access_keys (access_key_id, sealed_secret, principal, enabled, creation_date) VALUES (@access_key_id, @sealed_secret, @principal, @enabled, @creation_date)',
      ).run(accessKeyToRow(admin));
      db.prepare('INSERT INTO metadata (name, value) VALUES (?, ?)').run('root-key-check', Buffer.from('check'));
      db.close();

      const store = SqliteKeyStore.open(file);
      try {
        assert.deepEqual(await store.getAccessKey(admin.accessKeyId), admin);
        assert.equal((await store.getMetadata('root-key-check'))?.toString(), 'check');
        assert.equal(await store.identities.revision(), 0);
        assert.deepEqual(await store.identities.listUsers(undefined, 10), []);
        await store.identities.createUser(makeUser('app'));
        assert.equal(await store.identities.revision(), 1);
      } finally {
        await store.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
