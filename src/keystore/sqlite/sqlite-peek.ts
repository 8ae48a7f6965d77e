import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';

/**
 * Whether the SQLite file at `path` holds the metadata record `name`, read without migrating or
 * changing anything: false for a missing or empty file and for one without a metadata table yet.
 */
export function sqliteHoldsMetadata(path: string, name: string): boolean {
  if (!existsSync(path)) return false;
  const db = new Database(path, { fileMustExist: true, timeout: 5000 });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'metadata'").get();
    if (table === undefined) return false;
    return db.prepare('SELECT 1 FROM metadata WHERE name = ?').get(name) !== undefined;
  } finally {
    db.close();
  }
}
