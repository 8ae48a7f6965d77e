// Revoking an access key needs no restart. With `arca server --workers 2` on its SQLite file,
// another writer (a second connection, as another node or a tool would be) disables the
// administrator's access key, deletes it, and puts it back; each change holds from the very next
// request, on both workers (every request opens its own connection, so the cluster's round robin
// sends consecutive requests to different workers).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { callAcs3, type Credentials } from '../support/acs3-signer.js';
import { ensureBuilt, killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

const REQUESTS_PER_CHECK = 6;

describe('access-key revocation with --workers 2', () => {
  let credentials: Credentials;
  let arca: ArcaProcess;
  let db: Database.Database;

  before(async () => {
    ensureBuilt();
    credentials = randomCredentials('revoke');
    const dataDir = newDataDir('arca-revoke-');
    arca = await spawnArca({ dataDir, credentials, args: ['--workers', '2'] });
    db = new Database(join(dataDir, 'arca.db'));
    db.pragma('busy_timeout = 5000');
  });

  after(() => {
    db?.close();
    killAllArcas();
    removeDataDirs();
  });

  async function codes(): Promise<string[]> {
    const seen: string[] = [];
    for (let i = 0; i < REQUESTS_PER_CHECK; i++) {
      const response = await callAcs3(arca, credentials, 'DescribeRegions', {});
      seen.push(response.status === 200 ? 'OK' : String(response.json?.Code));
    }
    return seen;
  }

  it('an enabled key is served by both workers', async () => {
    assert.deepEqual(await codes(), Array(REQUESTS_PER_CHECK).fill('OK'));
  });

  it('disabled in the database: every next request, on either worker, is InvalidAccessKeyId.NotFound', async () => {
    db.prepare('UPDATE access_keys SET enabled = 0 WHERE access_key_id = ?').run(credentials.accessKeyId);
    assert.deepEqual(await codes(), Array(REQUESTS_PER_CHECK).fill('InvalidAccessKeyId.NotFound'));
  });

  it('enabled again: served at once', async () => {
    db.prepare('UPDATE access_keys SET enabled = 1 WHERE access_key_id = ?').run(credentials.accessKeyId);
    assert.deepEqual(await codes(), Array(REQUESTS_PER_CHECK).fill('OK'));
  });

  it('deleted from the database: refused at once; restored: served at once', async () => {
    const row = db.prepare('SELECT * FROM access_keys WHERE access_key_id = ?').get(credentials.accessKeyId) as Record<string, unknown>;
    db.prepare('DELETE FROM access_keys WHERE access_key_id = ?').run(credentials.accessKeyId);
    assert.deepEqual(await codes(), Array(REQUESTS_PER_CHECK).fill('InvalidAccessKeyId.NotFound'));
    db.prepare(
      'INSERT INTO access_keys (access_key_id, sealed_secret, principal, enabled, creation_date) VALUES (@access_key_id, @sealed_secret, @principal, @enabled, @creation_date)',
    ).run(row);
    assert.deepEqual(await codes(), Array(REQUESTS_PER_CHECK).fill('OK'));
  });
});
