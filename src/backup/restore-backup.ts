import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { databasePathIn } from '../bootstrap/data-directory.js';
import { inspectSqliteDatabase, UnsoundDatabaseError, type DatabaseSummary } from '../keystore/sqlite/sqlite-backup.js';
import { BackupError } from './backup-error.js';
import { extractDatabase, readBackupManifest, type BackupManifest } from './backup-file.js';

/**
 * `arca restore`: checks the backup at `fromPath` (manifest, length, checksum, SQLite's integrity
 * check, a schema this Arca knows, the counts the manifest names) and writes its database into
 * `dataDir`, which must be new or empty. The database appears under its own name only once every
 * check has passed; a failed restore leaves the directory as it found it. The root key is not in
 * the backup: the restored server starts only with the root key the backup's data was sealed under.
 */
export async function restoreBackup(fromPath: string, dataDir: string): Promise<BackupManifest> {
  const created = prepareEmptyDirectory(dataDir);
  const database = databasePathIn(dataDir);
  const restoring = `${database}.restoring`;
  try {
    const { manifest, databaseOffset } = readBackupManifest(fromPath);
    await extractDatabase(fromPath, manifest, databaseOffset, restoring);
    assertMatchesManifest(inspect(restoring, fromPath), manifest, fromPath);
    renameSync(restoring, database);
    return manifest;
  } catch (error) {
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${restoring}${suffix}`, { force: true });
    if (created) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Creates the directory (0700) unless it exists empty; refuses one that holds anything. Says whether it created it. */
function prepareEmptyDirectory(dataDir: string): boolean {
  if (existsSync(dataDir)) {
    let entries: string[];
    try {
      entries = readdirSync(dataDir);
    } catch (error) {
      throw new BackupError(`cannot read ${dataDir} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (entries.length > 0) throw new BackupError(`${dataDir} is not empty; restore into a new or empty directory`);
    return false;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return true;
}

function inspect(path: string, fromPath: string): DatabaseSummary {
  try {
    return inspectSqliteDatabase(path);
  } catch (error) {
    if (error instanceof UnsoundDatabaseError) throw new BackupError(`${fromPath}: its database cannot be used: ${error.message}`);
    throw error;
  }
}

function assertMatchesManifest(summary: DatabaseSummary, manifest: BackupManifest, fromPath: string): void {
  const pairs = [
    ['schemaVersion', summary.schemaVersion, manifest.schemaVersion],
    ['keys', summary.keys, manifest.keys],
    ['keyVersions', summary.keyVersions, manifest.keyVersions],
    ['aliases', summary.aliases, manifest.aliases],
    ['accessKeys', summary.accessKeys, manifest.accessKeys],
  ] as const;
  for (const [name, found, recorded] of pairs) {
    if (found !== recorded)
      throw new BackupError(`${fromPath} is damaged: its database holds ${found} ${name}, the manifest says ${recorded}`);
  }
}
