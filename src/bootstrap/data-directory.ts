import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

// The files of a data directory that a start creates, and their permissions. The root key file
// is src/protection/root-key.ts's, the replay guard snapshot src/api/signature/replay-guard-file.ts's.

export const DATABASE_FILE_NAME = 'arca.db';

export function databasePathIn(dataDir: string): string {
  return join(dataDir, DATABASE_FILE_NAME);
}

/** Creates the data directory, readable by its owner only (0700), unless it exists. */
export function ensureDataDirectory(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
}

/** Whether the database exists: false in a new data directory, where no request was ever accepted. */
export function databaseExists(dataDir: string): boolean {
  return existsSync(databasePathIn(dataDir));
}

/**
 * Creates the database file with mode 0600 before SQLite opens it: SQLite gives its -wal and
 * -shm files the database file's permissions, so none of them is readable by other users.
 * (What they hold is sealed anyway; this is defence in depth.)
 */
export function createPrivateFileIfMissing(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
}
