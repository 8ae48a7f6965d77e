// Upgrades and downgrades of the compiled server on a real SQLite file: a database of an older
// schema is migrated on start and keeps its keys; one written by a newer Arca is refused with a
// message saying so (exit 1, nothing served, the file untouched), and serves again once a release
// that knows its schema opens it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';

import { MIGRATIONS, applyMigrations } from '../../src/keystore/sqlite/migrations.js';
import { callOk } from '../support/acs3-signer.js';
import { CLI, childEnvironment, ensureBuilt, killAllArcas, randomCredentials, ROOT, spawnArca } from '../support/arca-process.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

const LATEST = MIGRATIONS.length;

function schemaVersionOf(databasePath: string): number {
  const db = new Database(databasePath, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

function setSchemaVersion(databasePath: string, version: number): void {
  const db = new Database(databasePath);
  db.pragma(`user_version = ${version}`);
  db.close();
}

describe('upgrading and downgrading the data directory', () => {
  after(() => {
    killAllArcas();
    removeDataDirs();
  });

  it('migrates an older schema on start, and its keys keep decrypting', async () => {
    ensureBuilt();
    const dataDir = newDataDir('arca-upgrade-');
    // The database as the first release left it: only migration 1.
    const old = new Database(join(dataDir, 'arca.db'));
    applyMigrations(old, MIGRATIONS.slice(0, 1));
    old.close();
    const credentials = randomCredentials('upgrade');
    const arca = await spawnArca({ dataDir, credentials });
    try {
      assert.equal(schemaVersionOf(join(dataDir, 'arca.db')), LATEST);
      const { KeyMetadata } = await callOk(arca, credentials, 'CreateKey', {});
      const { CiphertextBlob } = await callOk(arca, credentials, 'Encrypt', { KeyId: KeyMetadata.KeyId, Plaintext: 'kept' });
      assert.equal((await callOk(arca, credentials, 'Decrypt', { CiphertextBlob })).Plaintext, 'kept');
    } finally {
      await arca.stop();
    }
  });

  it('refuses a database written by a newer Arca, clearly and without touching it', async () => {
    ensureBuilt();
    const dataDir = newDataDir('arca-downgrade-');
    const credentials = randomCredentials('downgrade');
    const first = await spawnArca({ dataDir, credentials });
    const { KeyMetadata } = await callOk(first, credentials, 'CreateKey', {});
    const { CiphertextBlob } = await callOk(first, credentials, 'Encrypt', { KeyId: KeyMetadata.KeyId, Plaintext: 'before' });
    await first.stop();

    const databasePath = join(dataDir, 'arca.db');
    setSchemaVersion(databasePath, LATEST + 1);
    const digest = createHash('sha256').update(readFileSync(databasePath)).digest('hex');
    const refused = spawnSync(process.execPath, [CLI, 'server', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], {
      cwd: ROOT,
      env: childEnvironment({ ARCA_ACCESS_KEY_ID: credentials.accessKeyId, ARCA_ACCESS_KEY_SECRET: credentials.accessKeySecret }),
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(refused.status, 1, refused.stderr);
    assert.doesNotMatch(refused.stdout, /listening on/);
    assert.equal(
      refused.stderr,
      `arca: The database has schema version ${LATEST + 1}, but this Arca knows versions up to ${LATEST}. ` +
        'It was written by a newer Arca; run that release (or newer) against it.\n',
    );
    assert.equal(createHash('sha256').update(readFileSync(databasePath)).digest('hex'), digest, 'the database is untouched');

    // The release that knows the schema (here: the version put back) serves the same keys.
    setSchemaVersion(databasePath, LATEST);
    const again = await spawnArca({ dataDir, credentials });
    try {
      assert.equal((await callOk(again, credentials, 'Decrypt', { CiphertextBlob })).Plaintext, 'before');
    } finally {
      await again.stop();
    }
  });
});
