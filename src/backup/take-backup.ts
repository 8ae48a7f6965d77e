import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { databasePathIn } from '../bootstrap/data-directory.js';
import { copySqliteDatabase, inspectSqliteDatabase } from '../keystore/sqlite/sqlite-backup.js';
import { BackupError } from './backup-error.js';
import { digestFile, manifestFor, writeBackupFile, type BackupManifest } from './backup-file.js';

/**
 * `arca backup`: a consistent copy of the data directory's database, taken while a server may be
 * using it, written to `outPath` with its manifest. Only the database is copied: no root key file,
 * no administrator key file, no replay-guard snapshot, whatever else the directory holds.
 */
export async function takeBackup(dataDir: string, outPath: string, now: () => Date = () => new Date()): Promise<BackupManifest> {
  const database = databasePathIn(dataDir);
  if (!existsSync(database)) throw new BackupError(`${dataDir} holds no Arca database (${basename(database)})`);
  if (existsSync(outPath)) throw new BackupError(`${outPath} exists; choose a new file`);
  const copy = join(dirname(outPath), `.${basename(outPath)}.copy-${randomBytes(6).toString('hex')}`);
  try {
    const takenAt = now();
    await copySqliteDatabase(database, copy);
    const summary = inspectSqliteDatabase(copy);
    const { sha256, bytes } = await digestFile(copy);
    const manifest = manifestFor(summary, takenAt, bytes, sha256);
    await writeBackupFile(outPath, manifest, copy);
    return manifest;
  } finally {
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
  }
}
