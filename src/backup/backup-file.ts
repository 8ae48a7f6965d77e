// The backup file (ADR 33): a manifest a person can read with `head -2`, then the database copy.
//
//   line 1   "arca-backup 1"                          the format and its version
//   line 2   the manifest, one line of JSON           what the copy holds, its length and SHA-256
//   rest     the SQLite database, exactly manifest.databaseBytes long
//
// Neither the root key nor any other key that opens the data is in it: the copy's secrets are
// sealed under the root key, which stays where the operator keeps it.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, fsyncSync, linkSync, openSync, readSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DatabaseSummary } from '../keystore/sqlite/sqlite-backup.js';
import { BackupError } from './backup-error.js';

export const BACKUP_MAGIC_LINE = 'arca-backup 1';
/** A manifest is a few hundred bytes; anything far longer is not a backup. */
const MAX_HEADER_BYTES = 64 * 1024;

export interface BackupManifest {
  readonly format: 'arca-backup';
  readonly formatVersion: 1;
  /** When the consistent copy was taken (ISO 8601, UTC). */
  readonly takenAt: string;
  readonly store: 'sqlite';
  readonly schemaVersion: number;
  readonly keys: number;
  readonly keyVersions: number;
  readonly aliases: number;
  readonly accessKeys: number;
  /** The newest instant recorded in the data (ISO 8601), null for an empty store. */
  readonly lastChange: string | null;
  readonly databaseBytes: number;
  /** SHA-256 of the database bytes, hex. */
  readonly databaseSha256: string;
}

export function manifestFor(summary: DatabaseSummary, takenAt: Date, databaseBytes: number, databaseSha256: string): BackupManifest {
  return {
    format: 'arca-backup',
    formatVersion: 1,
    takenAt: takenAt.toISOString(),
    store: 'sqlite',
    schemaVersion: summary.schemaVersion,
    keys: summary.keys,
    keyVersions: summary.keyVersions,
    aliases: summary.aliases,
    accessKeys: summary.accessKeys,
    lastChange: summary.lastChangeMs === null ? null : new Date(summary.lastChangeMs).toISOString(),
    databaseBytes,
    databaseSha256,
  };
}

/** SHA-256 (hex) and length of a file, read as a stream. */
export async function digestFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    bytes += buffer.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * Writes the backup file at `outPath`, which must not exist: the whole file is written and synced
 * under a temporary name beside it, then linked into place (a link never replaces a file), so
 * `outPath` is either absent or complete.
 */
export async function writeBackupFile(outPath: string, manifest: BackupManifest, databaseCopyPath: string): Promise<void> {
  const temporary = join(dirname(outPath), `.${basename(outPath)}.partial-${randomBytes(6).toString('hex')}`);
  try {
    const header = `${BACKUP_MAGIC_LINE}\n${JSON.stringify(manifest)}\n`;
    const output = createWriteStream(temporary, { flags: 'wx', mode: 0o600 });
    output.write(header);
    await pipeline(createReadStream(databaseCopyPath), output);
    syncFile(temporary);
    try {
      linkSync(temporary, outPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupError(`${outPath} exists; choose a new file`);
      throw error;
    }
  } finally {
    rmSync(temporary, { force: true });
  }
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The manifest of a backup file and where its database starts; refuses anything else. */
export function readBackupManifest(path: string): { manifest: BackupManifest; databaseOffset: number } {
  const head = readHead(path);
  const firstEnd = head.indexOf(0x0a);
  if (firstEnd === -1 || head.subarray(0, firstEnd).toString('utf8') !== BACKUP_MAGIC_LINE) {
    throw new BackupError(`${path} is not an Arca backup (it does not start with "${BACKUP_MAGIC_LINE}")`);
  }
  const secondEnd = head.indexOf(0x0a, firstEnd + 1);
  if (secondEnd === -1) throw new BackupError(`${path} is not an Arca backup (no manifest line)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(head.subarray(firstEnd + 1, secondEnd).toString('utf8'));
  } catch {
    throw new BackupError(`${path}: its manifest is not JSON`);
  }
  return { manifest: checkedManifest(parsed, path), databaseOffset: secondEnd + 1 };
}

function readHead(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new BackupError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const buffer = Buffer.alloc(MAX_HEADER_BYTES);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

const COUNT_FIELDS = ['schemaVersion', 'keys', 'keyVersions', 'aliases', 'accessKeys', 'databaseBytes'] as const;

function checkedManifest(value: unknown, path: string): BackupManifest {
  const problem = (what: string): BackupError => new BackupError(`${path}: its manifest ${what}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw problem('is not an object');
  const fields = value as Record<string, unknown>;
  if (fields.format !== 'arca-backup' || fields.formatVersion !== 1) throw problem('is not of format arca-backup 1');
  if (fields.store !== 'sqlite') throw problem(`names a store this Arca cannot restore (${String(fields.store)})`);
  for (const field of COUNT_FIELDS) {
    const count = fields[field];
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) throw problem(`has no valid ${field}`);
  }
  if (typeof fields.databaseSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(fields.databaseSha256))
    throw problem('has no valid databaseSha256');
  if (!isInstant(fields.takenAt)) throw problem('has no valid takenAt');
  if (fields.lastChange !== null && !isInstant(fields.lastChange)) throw problem('has no valid lastChange');
  return value as BackupManifest;
}

function isInstant(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

/**
 * Writes the backup's database to `destinationPath` (a new file, mode 0600) and checks it against
 * the manifest: its length and its SHA-256.
 */
export async function extractDatabase(
  path: string,
  manifest: BackupManifest,
  databaseOffset: number,
  destinationPath: string,
): Promise<void> {
  await pipeline(createReadStream(path, { start: databaseOffset }), createWriteStream(destinationPath, { flags: 'wx', mode: 0o600 }));
  const { sha256, bytes } = await digestFile(destinationPath);
  if (bytes !== manifest.databaseBytes) {
    throw new BackupError(`${path} is damaged: its database has ${bytes} bytes, the manifest says ${manifest.databaseBytes}`);
  }
  if (sha256 !== manifest.databaseSha256) throw new BackupError(`${path} is damaged: its database does not match the manifest's checksum`);
  syncFile(destinationPath);
}
