// An online copy of a SQLite store through SQLite's backup API, and what a copy holds. The
// container around the copy (manifest, checksum) is src/backup/'s; this file only knows SQLite.
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

/** How long the copy waits for a writer of the live database to release its lock. */
const BUSY_TIMEOUT_MS = 5000;

/** What a copy of the database holds, as the manifest records it. */
export interface DatabaseSummary {
  readonly schemaVersion: number;
  readonly keys: number;
  readonly keyVersions: number;
  readonly aliases: number;
  readonly accessKeys: number;
  /**
   * The newest instant recorded in the data (a key, version, alias or access key created, a key
   * rotated), in epoch milliseconds; null for an empty store. Changes that carry no date of their
   * own (a key disabled, a description changed) do not move it.
   */
  readonly lastChangeMs: number | null;
}

const COUNT_ROWS = `
SELECT
  (SELECT count(*) FROM keys)         AS keys,
  (SELECT count(*) FROM key_versions) AS key_versions,
  (SELECT count(*) FROM aliases)      AS aliases,
  (SELECT count(*) FROM access_keys)  AS access_keys`;

const NEWEST_RECORDED_INSTANT = `
SELECT max(instant) AS last_change FROM (
  SELECT max(creation_date) AS instant FROM keys
  UNION ALL SELECT max(last_rotation_date) FROM keys
  UNION ALL SELECT max(creation_date) FROM key_versions
  UNION ALL SELECT max(creation_date) FROM aliases
  UNION ALL SELECT max(creation_date) FROM access_keys)`;

interface CountsRow {
  readonly keys: number;
  readonly key_versions: number;
  readonly aliases: number;
  readonly access_keys: number;
}

/**
 * Copies the live database at `sourcePath` to `destinationPath` (a new file) while other
 * connections, a running server's included, go on writing. The copy is one consistent snapshot:
 * the whole database is copied in one step of the backup API, under one read transaction, so no
 * write is half in it. In WAL mode a reader does not block writers, and the WAL's content is part
 * of what the reader sees.
 */
export async function copySqliteDatabase(sourcePath: string, destinationPath: string): Promise<void> {
  const source = new Database(sourcePath, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    // The first step copies the default 100 pages; from then on the rest goes in one step.
    await source.backup(destinationPath, { progress: ({ totalPages }) => Math.max(totalPages, 1) });
  } finally {
    source.close();
  }
  // The copy carries the live file's WAL mode; in rollback mode it is one self-contained file
  // that can be read (read-only) without -wal and -shm beside it. The server turns WAL on again.
  const copy = new Database(destinationPath, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/** Thrown when a file is not a sound Arca database (corrupt, not SQLite, or from a newer Arca). */
export class UnsoundDatabaseError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'UnsoundDatabaseError';
  }
}

/**
 * Checks a copy (SQLite's integrity check, a schema this Arca knows) and says what it holds.
 * Opens the file read-only: a copy under inspection is never changed.
 */
export function inspectSqliteDatabase(path: string): DatabaseSummary {
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: true, readonly: true });
  } catch (error) {
    throw new UnsoundDatabaseError(`not an SQLite database (${(error as Error).message})`);
  }
  try {
    return summarise(db);
  } catch (error) {
    if (error instanceof UnsoundDatabaseError) throw error;
    throw new UnsoundDatabaseError(`not a sound Arca database (${(error as Error).message})`);
  } finally {
    db.close();
  }
}

function summarise(db: Database.Database): DatabaseSummary {
  const integrity = db.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') throw new UnsoundDatabaseError(`SQLite's integrity check failed (${String(integrity)})`);
  const schemaVersion = Number(db.pragma('user_version', { simple: true }));
  if (schemaVersion < 1) throw new UnsoundDatabaseError('it holds no Arca schema');
  if (schemaVersion > MIGRATIONS.length) {
    throw new UnsoundDatabaseError(
      `it has schema version ${schemaVersion}, and this Arca knows versions up to ${MIGRATIONS.length}: restore it with a newer Arca`,
    );
  }
  const counts = db.prepare<[], CountsRow>(COUNT_ROWS).get();
  const newest = db.prepare<[], { last_change: number | null }>(NEWEST_RECORDED_INSTANT).get();
  if (counts === undefined || newest === undefined) throw new UnsoundDatabaseError('its tables cannot be counted');
  return {
    schemaVersion,
    keys: counts.keys,
    keyVersions: counts.key_versions,
    aliases: counts.aliases,
    accessKeys: counts.access_keys,
    lastChangeMs: newest.last_change,
  };
}
