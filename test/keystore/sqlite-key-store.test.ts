import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Origin } from '../../src/domain/key-spec.js';
import { StoreConflictError } from '../../src/domain/ports.js';
import { MIGRATIONS, SchemaTooNewError, applyMigrations, type Migration } from '../../src/keystore/sqlite/migrations.js';
import { CorruptRowError, keyToRow, keyVersionToRow } from '../../src/keystore/sqlite/rows.js';
import { SqliteKeyStore } from '../../src/keystore/sqlite/sqlite-key-store.js';
import { makeAccessKey, makeAlias, makeKeyWithVersion, rotated, sealedOf, T0 } from './fixtures.js';
import { describeKeyStoreContract } from './key-store-contract.js';

const LATEST_VERSION = MIGRATIONS.length;

function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'arca-sqlite-store-'));
}

function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

describeKeyStoreContract('SqliteKeyStore', () => {
  const dir = makeTempDir();
  const file = path.join(dir, 'arca.db');
  const store = SqliteKeyStore.open(file);
  return Promise.resolve({
    store,
    cleanup: async () => {
      await store.close();
      removeDir(dir);
    },
    // A second connection to the file: it reads only what was committed.
    openAgain: () => {
      const other = SqliteKeyStore.open(file);
      return Promise.resolve({ store: other, close: () => other.close() });
    },
  });
});

interface MigrationRecord {
  version: number;
  name: string;
  applied_at: number;
}

/** A second, plain connection, to look at the file the way another tool would. */
function withRawDatabase<T>(file: string, look: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return look(db);
  } finally {
    db.close();
  }
}

function migrationRecords(file: string): MigrationRecord[] {
  return withRawDatabase(file, (db) =>
    db.prepare<[], MigrationRecord>('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all(),
  );
}

function userVersion(db: Database.Database): unknown {
  return db.pragma('user_version', { simple: true });
}

void describe('SqliteKeyStore (SQLite only)', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = makeTempDir();
    file = path.join(dir, 'arca.db');
  });

  afterEach(() => {
    removeDir(dir);
  });

  void it('keeps keys, versions, aliases, access keys and metadata across close and reopen', async () => {
    const made = makeKeyWithVersion({ revision: 1, tags: [{ tagKey: 'k', tagValue: 'v' }] });
    const next = rotated(made.key, T0 + 1);
    const alias = makeAlias(made.key.keyId);
    const accessKey = makeAccessKey();
    const first = SqliteKeyStore.open(file);
    await first.createKey(made.key, made.version);
    await first.addKeyVersion(next.key, next.version, 1);
    await first.createAlias(alias);
    await first.putAccessKey(accessKey);
    await first.putMetadata('root-key-check', Buffer.from('check'));
    await first.close();

    const reopened = SqliteKeyStore.open(file);
    try {
      assert.deepEqual(await reopened.getKey(made.key.keyId), next.key);
      assert.deepEqual(await reopened.listKeyVersions(made.key.keyId, { pageNumber: 1, pageSize: 10 }), {
        items: [made.version, next.version],
        totalCount: 2,
      });
      assert.deepEqual(await reopened.getAlias(alias.aliasName), alias);
      assert.deepEqual(await reopened.getAccessKey(accessKey.accessKeyId), accessKey);
      assert.equal((await reopened.getMetadata('root-key-check'))?.toString(), 'check');
    } finally {
      await reopened.close();
    }
  });

  void it('commits concurrent writes together, and a conflict in the batch fails only its own write', async () => {
    const made = Array.from({ length: 40 }, () => makeKeyWithVersion());
    const first = made[0]!;
    const stale = rotated({ ...first.key, revision: first.key.revision + 5 }, T0 + 1);
    const store = SqliteKeyStore.open(file);
    const writes = [
      ...made.map(({ key, version }) => store.createKey(key, version)),
      store.createKey(first.key, first.version), // the same ids again, in the same batch
      store.addKeyVersion(stale.key, stale.version, first.key.revision + 5), // a revision the key never had
    ];
    const outcomes = await Promise.allSettled(writes);
    await store.close();
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      [...made.map(() => 'fulfilled'), 'rejected', 'rejected'],
    );
    for (const outcome of outcomes.slice(-2)) {
      assert.ok(
        outcome.status === 'rejected' && outcome.reason instanceof StoreConflictError,
        String(outcome.status === 'rejected' ? outcome.reason : ''),
      );
    }

    const reopened = SqliteKeyStore.open(file);
    try {
      for (const { key, version } of made) {
        assert.deepEqual(await reopened.getKey(key.keyId), key);
        assert.deepEqual(await reopened.getKeyVersion(version.keyVersionId), version);
      }
    } finally {
      await reopened.close();
    }
  });

  void it('commits writes still queued when the store closes', async () => {
    const { key, version } = makeKeyWithVersion();
    const store = SqliteKeyStore.open(file);
    const write = store.createKey(key, version);
    await store.close();
    await write;
    const reopened = SqliteKeyStore.open(file);
    try {
      assert.deepEqual(await reopened.getKey(key.keyId), key);
    } finally {
      await reopened.close();
    }
  });

  void it('a batch that fails inside a group commit is rolled back alone; the group and the other batches reach the file', async () => {
    const made = Array.from({ length: 10 }, () => makeKeyWithVersion({ revision: 1 }));
    const first = made[0]!;
    const alias = makeAlias(first.key.keyId);
    const store = SqliteKeyStore.open(file);
    const outcomes = await Promise.allSettled([
      ...made.map(({ key, version }) => store.createKey(key, version)),
      store.applyBatch([
        { kind: 'update-key', key: { ...first.key, description: 'batched', revision: 2 }, expectedRevision: 1 },
        { kind: 'create-alias', alias },
      ]),
      store.applyBatch([
        { kind: 'put-metadata', name: 'lost', value: Buffer.from('x') },
        { kind: 'require-key-revision', keyId: first.key.keyId, expectedRevision: 1 }, // the batch above moved it to 2
      ]),
    ]);
    await store.close();
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      [...made.map(() => 'fulfilled'), 'fulfilled', 'rejected'],
    );

    const reopened = SqliteKeyStore.open(file);
    try {
      for (const { key } of made.slice(1)) assert.deepEqual(await reopened.getKey(key.keyId), key);
      assert.equal((await reopened.getKey(first.key.keyId))?.description, 'batched');
      assert.deepEqual(await reopened.getAlias(alias.aliasName), alias);
      assert.equal(await reopened.getMetadata('lost'), undefined);
    } finally {
      await reopened.close();
    }
  });

  void it('commits a batch still queued when the store closes', async () => {
    const { key, version } = makeKeyWithVersion();
    const alias = makeAlias(key.keyId);
    const store = SqliteKeyStore.open(file);
    const batch = store.applyBatch([
      { kind: 'create-key', key, firstVersion: version },
      { kind: 'create-alias', alias },
    ]);
    await store.close();
    await batch;
    const reopened = SqliteKeyStore.open(file);
    try {
      assert.deepEqual(await reopened.getAlias(alias.aliasName), alias);
    } finally {
      await reopened.close();
    }
  });

  void it('of batches from two connections conditioned on the same revision, exactly one commits, whole', async () => {
    const first = SqliteKeyStore.open(file);
    const second = SqliteKeyStore.open(file);
    try {
      const { key, version } = makeKeyWithVersion({ revision: 1 });
      await first.createKey(key, version);
      const batchOf = (writer: string) =>
        [
          { kind: 'update-key', key: { ...key, description: writer, revision: 2 }, expectedRevision: 1 },
          { kind: 'put-metadata', name: 'winner', value: Buffer.from(writer) },
        ] as const;
      const outcomes = await Promise.allSettled([first.applyBatch(batchOf('first')), second.applyBatch(batchOf('second'))]);
      assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1);
      const refused = outcomes.find((outcome) => outcome.status === 'rejected');
      assert.ok(refused?.status === 'rejected' && refused.reason instanceof StoreConflictError, 'the loser gets a conflict');
      assert.equal(refused.reason.reason, 'stale-revision');
      const winner = outcomes[0].status === 'fulfilled' ? 'first' : 'second';
      for (const store of [first, second]) {
        assert.equal((await store.getKey(key.keyId))?.description, winner);
        assert.equal((await store.getMetadata('winner'))?.toString(), winner);
      }
    } finally {
      await first.close();
      await second.close();
    }
  });

  void it('records every migration once, and reopening runs none again', async () => {
    await SqliteKeyStore.open(file).close();
    const recorded = migrationRecords(file);
    assert.deepEqual(
      recorded.map(({ version, name }) => ({ version, name })),
      MIGRATIONS.map(({ version, name }) => ({ version, name })),
    );
    assert.equal(
      withRawDatabase(file, (db) => userVersion(db)),
      LATEST_VERSION,
    );

    await SqliteKeyStore.open(file).close();
    assert.deepEqual(migrationRecords(file), recorded, 'same rows, same applied_at');
  });

  void it('refuses a database from a newer Arca with SchemaTooNewError, leaving it untouched', async () => {
    await SqliteKeyStore.open(file).close();
    withRawDatabase(file, (db) => db.pragma(`user_version = ${LATEST_VERSION + 1}`));

    assert.throws(
      () => SqliteKeyStore.open(file),
      (error: unknown) => {
        assert.ok(error instanceof SchemaTooNewError, `expected SchemaTooNewError, got ${String(error)}`);
        assert.equal(error.databaseVersion, LATEST_VERSION + 1);
        assert.equal(error.knownVersion, LATEST_VERSION);
        assert.match(error.message, /newer Arca/);
        return true;
      },
    );
    assert.equal(
      withRawDatabase(file, (db) => userVersion(db)),
      LATEST_VERSION + 1,
    );
  });

  void it('runs in WAL mode with synchronous FULL, foreign keys on, secure_delete on and a busy timeout', async () => {
    const store = SqliteKeyStore.open(file);
    try {
      const settings = await store.connectionSettings();
      assert.equal(settings.journalMode, 'wal');
      assert.equal(settings.synchronous, 'FULL');
      assert.equal(settings.foreignKeys, true);
      assert.ok(settings.busyTimeoutMs > 0, `busy_timeout is ${settings.busyTimeoutMs}`);
      assert.equal(settings.secureDelete, true);
    } finally {
      await store.close();
    }
    // WAL is a property of the file, so a fresh connection sees it too.
    assert.equal(
      withRawDatabase(file, (db) => db.pragma('journal_mode', { simple: true })),
      'wal',
    );
  });

  void describe('destroyed material leaves the files', () => {
    /** Names of the store's files (read raw, as they are on disk now) that hold `bytes`. */
    const filesHolding = (bytes: Buffer): string[] =>
      ['arca.db', 'arca.db-wal', 'arca.db-shm'].filter((name) => {
        const onDisk = path.join(dir, name);
        return fs.existsSync(onDisk) && fs.readFileSync(onDisk).includes(bytes);
      });

    void it('deleteKey zeroes the versions’ sealed material in arca.db and truncates the WAL; the other keys stay', async () => {
      const store = SqliteKeyStore.open(file);
      try {
        const kept = makeKeyWithVersion();
        const doomed = makeKeyWithVersion();
        await Promise.all([store.createKey(kept.key, kept.version), store.createKey(doomed.key, doomed.version)]);
        assert.deepEqual(filesHolding(sealedOf(doomed.version)), ['arca.db-wal']);

        await store.deleteKey(doomed.key.keyId, doomed.key.revision);

        assert.deepEqual(filesHolding(sealedOf(doomed.version)), []);
        assert.equal(fs.statSync(`${file}-wal`).size, 0, 'the WAL is truncated');
        assert.deepEqual(filesHolding(sealedOf(kept.version)), ['arca.db'], 'the kept key is now in the database file');
      } finally {
        await store.close();
      }
    });

    void it('replaceKeyMaterial that removes the material leaves its sealed bytes in no file', async () => {
      const store = SqliteKeyStore.open(file);
      try {
        const { key, version } = makeKeyWithVersion({ origin: Origin.External });
        await store.createKey(key, version);
        await store.replaceKeyMaterial({ ...key, revision: key.revision + 1 }, { ...version, material: null }, key.revision);
        assert.deepEqual(filesHolding(sealedOf(version)), []);
      } finally {
        await store.close();
      }
    });

    void it('a write that destroys nothing does not checkpoint: the WAL keeps growing as group commit wants', async () => {
      const store = SqliteKeyStore.open(file);
      try {
        const first = makeKeyWithVersion();
        await store.createKey(first.key, first.version);
        const next = rotated(first.key, T0 + 1);
        await store.addKeyVersion(next.key, next.version, first.key.revision);
        assert.deepEqual(filesHolding(sealedOf(next.version)), ['arca.db-wal']);
      } finally {
        await store.close();
      }
    });

    void it('when a reader of another connection keeps the WAL, the truncation is owed and done after the next commit', async () => {
      const store = SqliteKeyStore.open(file);
      const reader = new Database(file);
      try {
        const doomed = makeKeyWithVersion();
        await store.createKey(doomed.key, doomed.version);
        reader.prepare('BEGIN').run();
        reader.prepare('SELECT count(*) FROM keys').get();

        await store.deleteKey(doomed.key.keyId, doomed.key.revision);
        assert.equal(await store.getKey(doomed.key.keyId), undefined, 'the deletion committed all the same');
        assert.notDeepEqual(filesHolding(sealedOf(doomed.version)), [], 'the reader’s snapshot still needs the WAL');

        reader.prepare('COMMIT').run();
        await store.putMetadata('any-write', Buffer.from('x'));
        assert.deepEqual(filesHolding(sealedOf(doomed.version)), []);
      } finally {
        reader.close();
        await store.close();
      }
    });
  });

  void it('two connections to one file see each other’s writes and refuse each other’s stale revisions', async () => {
    const first = SqliteKeyStore.open(file);
    const second = SqliteKeyStore.open(file);
    try {
      const { key, version } = makeKeyWithVersion({ revision: 1 });
      await first.createKey(key, version);
      assert.deepEqual(await second.getKey(key.keyId), key);
      await second.updateKey({ ...key, description: 'second', revision: 2 }, 1);
      await assert.rejects(first.updateKey({ ...key, description: 'first', revision: 2 }, 1), (error: unknown) => {
        assert.ok(error instanceof StoreConflictError, `expected StoreConflictError, got ${String(error)}`);
        assert.equal(error.reason, 'stale-revision');
        return true;
      });
      assert.equal((await first.getKey(key.keyId))?.description, 'second');
    } finally {
      await first.close();
      await second.close();
    }
  });

  void it('refuses to read a key row whose state it does not know', async () => {
    const store = SqliteKeyStore.open(file);
    try {
      const { key, version } = makeKeyWithVersion();
      await store.createKey(key, version);
      withRawDatabase(file, (db) => db.prepare("UPDATE keys SET key_state = 'Frozen' WHERE key_id = ?").run(key.keyId));
      await assert.rejects(() => store.getKey(key.keyId), CorruptRowError);
    } finally {
      await store.close();
    }
  });

  void it('migration 4 keeps every version of a schema-3 database, its material and the order versions were added in', async () => {
    // A schema-3 database with a key of three versions, written the way Arca 3 wrote them: the
    // newest version has the oldest creation date, so only rowid gives the order.
    const { key, version } = makeKeyWithVersion();
    const second = rotated(key, T0 - 10);
    const third = rotated(second.key, T0 - 20);
    withRawDatabase(file, (db) => {
      db.pragma('foreign_keys = ON');
      applyMigrations(db, MIGRATIONS.slice(0, 3));
      const insertKey = db.prepare(`INSERT INTO keys VALUES (@key_id, @key_spec, @key_usage, @origin, @protection_level, @key_state,
        @description, @creator, @creation_date, @delete_date, @deletion_protection, @deletion_protection_description,
        @automatic_rotation, @rotation_interval_seconds, @last_rotation_date, @primary_key_version_id, @material_expire_time, @tags, @revision)`);
      insertKey.run({ ...keyToRow(third.key) });
      const insertVersion = db.prepare(
        'INSERT INTO key_versions VALUES (@key_version_id, @key_id, @creation_date, @protection_kind, @sealed_material)',
      );
      for (const v of [version, second.version, third.version]) {
        const row = keyVersionToRow(v);
        insertVersion.run({
          key_version_id: row.key_version_id,
          key_id: row.key_id,
          creation_date: row.creation_date,
          protection_kind: row.protection_kind,
          sealed_material: row.sealed_material,
        });
      }
    });
    const store = SqliteKeyStore.open(file);
    try {
      assert.equal(
        withRawDatabase(file, (db) => userVersion(db)),
        LATEST_VERSION,
      );
      const listed = await store.listKeyVersions(key.keyId, { pageNumber: 1, pageSize: 10 });
      assert.deepEqual(listed.items, [version, second.version, third.version]);
      assert.deepEqual(await store.getKey(key.keyId), third.key);
    } finally {
      await store.close();
    }
  });

  void it('rejects, rather than throws, when used after close', async () => {
    const store = SqliteKeyStore.open(file);
    await store.close();
    await assert.rejects(() => store.getKey('any'));
  });

  void describe('applyMigrations', () => {
    const create = (table: string): string => `CREATE TABLE ${table} (id INTEGER PRIMARY KEY) STRICT;`;
    const steps: Migration[] = [
      { version: 1, name: 'one', sql: create('one') },
      { version: 2, name: 'two', sql: create('two') },
      { version: 3, name: 'three', sql: create('three') },
    ];

    void it('applies only the migrations a database has not had, in order', () => {
      withRawDatabase(file, (db) => {
        assert.equal(applyMigrations(db, steps.slice(0, 2)), 0);
        assert.equal(applyMigrations(db, steps), 2);
        assert.equal(userVersion(db), 3);
        const names = db.prepare<[], { name: string }>('SELECT name FROM schema_migrations ORDER BY version').all();
        assert.deepEqual(
          names.map(({ name }) => name),
          ['one', 'two', 'three'],
        );
      });
    });

    void it('leaves the database as it was when a migration fails', () => {
      withRawDatabase(file, (db) => {
        applyMigrations(db, steps.slice(0, 1));
        const broken = [...steps.slice(0, 2), { version: 3, name: 'broken', sql: 'CREATE TABLE one (id INTEGER);' }];
        assert.throws(() => applyMigrations(db, broken));
        assert.equal(userVersion(db), 1);
        const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'two'").all();
        assert.deepEqual(tables, [], 'migration two was rolled back with three');
      });
    });

    void it('refuses a list whose versions are not 1, 2, 3 …', () => {
      withRawDatabase(file, (db) => {
        assert.throws(() => applyMigrations(db, [steps[0]!, steps[2]!]), /expected 2/);
        assert.equal(userVersion(db), 0);
      });
    });
  });
});
