import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The files of a data directory that a start creates, and their permissions, and where the root
// key file is by default: beside the directory, not in it (ADR 34). The replay guard snapshot is
// src/api/signature/replay-guard-file.ts's.

export const DATABASE_FILE_NAME = 'arca.db';
/** Where Arca before ADR 34 kept the root key: inside the data directory, so every copy took it along. */
export const LEGACY_ROOT_KEY_FILE_NAME = 'root.key';

/**
 * The default root key file, `<data-dir>.root.key`: the data directory's sibling, so that a copy,
 * an archive or a backup of the directory does not carry the key that opens it.
 */
export function defaultRootKeyPath(dataDir: string): string {
  return `${resolve(dataDir)}.root.key`;
}

export function legacyRootKeyPath(dataDir: string): string {
  return join(dataDir, LEGACY_ROOT_KEY_FILE_NAME);
}

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
