// Every value a SQLite store holds sealed under the root key, re-sealed one by one through a
// callback: the storage half of `arca root-key rotate` (ADR 34). Which values those are is this
// file's knowledge (the tables); what sealing means is the caller's.
import Database from 'better-sqlite3';

/** How long a write waits for the server's connection to release the file. */
const BUSY_TIMEOUT_MS = 5000;
const PAGE_SIZE = 500;

/** A sealed value, where it is, and what its seal is bound to. */
export interface SealedRecord {
  readonly sealed: Buffer;
  /** The seal purpose (SealPurpose) and binding the value was sealed with. */
  readonly purpose: string;
  readonly binding: string;
}

/** The value sealed under the new root key, or undefined when it is sealed under it already. */
export type Reseal = (record: SealedRecord) => Promise<Buffer | undefined>;

export interface ResealReport {
  readonly resealed: number;
  readonly alreadyCurrent: number;
  /** Values that changed between read and write (the server wrote them): left for the next run. */
  readonly changedMeanwhile: number;
}

/** One table's sealed column, how its rows are named, and the seal's purpose and binding. */
interface SealedColumn {
  /** Rows after `@after` (a rowid), in rowid order; may name more parameters. */
  readonly select: string;
  readonly selectParameters?: Readonly<Record<string, string>>;
  readonly update: string;
  readonly purpose: string;
  /** The binding from the row's id (the key version id, the access key id, the record's name). */
  readonly bindingOf: (id: string) => string;
}

interface SealedRow {
  readonly row: number;
  readonly id: string;
  readonly sealed: Buffer;
}

/**
 * The sealed columns: a SOFTWARE key version's material, an access key's secret, the root-key
 * check and the stored digest key. The purposes are passed in rather than imported, so that the
 * store stays ignorant of the domain's names (src/domain/seal-purposes.ts gives them).
 */
function sealedColumns(purposes: ResealPurposes): readonly SealedColumn[] {
  return [
    {
      select: `SELECT rowid AS row, key_version_id AS id, sealed_material AS sealed FROM key_versions
               WHERE protection_kind = 'software' AND sealed_material IS NOT NULL AND rowid > @after ORDER BY rowid LIMIT ${PAGE_SIZE}`,
      update: 'UPDATE key_versions SET sealed_material = @next WHERE key_version_id = @id AND sealed_material = @previous',
      purpose: purposes.keyMaterial,
      bindingOf: (id) => id,
    },
    {
      select: `SELECT rowid AS row, access_key_id AS id, sealed_secret AS sealed FROM access_keys
               WHERE rowid > @after ORDER BY rowid LIMIT ${PAGE_SIZE}`,
      update: 'UPDATE access_keys SET sealed_secret = @next WHERE access_key_id = @id AND sealed_secret = @previous',
      purpose: purposes.accessKeySecret,
      bindingOf: (id) => id,
    },
    ...purposes.metadata.map(({ name, purpose }): SealedColumn => ({
      select: 'SELECT rowid AS row, name AS id, value AS sealed FROM metadata WHERE name = @name AND rowid > @after',
      selectParameters: { name },
      update: 'UPDATE metadata SET value = @next WHERE name = @id AND value = @previous',
      purpose,
      bindingOf: (id) => id,
    })),
  ];
}

export interface ResealPurposes {
  readonly keyMaterial: string;
  readonly accessKeySecret: string;
  /** Metadata records sealed under the root key, each bound to its own name. */
  readonly metadata: readonly { readonly name: string; readonly purpose: string }[];
}

/**
 * Re-seals every sealed value of the database at `path` while a server may be using it. Each value
 * is replaced only if it is still the one that was read (a compare-and-swap on the sealed bytes),
 * in its own short transaction, so the server is never held up for long and never loses a write;
 * a value that changed meanwhile is counted and left for the next run. Interrupted at any point,
 * the database holds values sealed under either key, all of which the server (given both) opens,
 * and running again finishes the work.
 */
export async function resealSqliteDatabase(path: string, purposes: ResealPurposes, reseal: Reseal): Promise<ResealReport> {
  const db = new Database(path, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  let resealed = 0;
  let alreadyCurrent = 0;
  let changedMeanwhile = 0;
  try {
    for (const column of sealedColumns(purposes)) {
      const select = db.prepare<Record<string, string | number>, SealedRow>(column.select);
      const update = db.prepare<{ id: string; next: Buffer; previous: Buffer }>(column.update);
      for (let after = 0; ;) {
        const rows = select.all({ ...column.selectParameters, after });
        for (const { id, sealed } of rows) {
          const next = await reseal({ sealed, purpose: column.purpose, binding: column.bindingOf(id) });
          if (next === undefined) {
            alreadyCurrent += 1;
            continue;
          }
          if (update.run({ id, next, previous: sealed }).changes === 1) resealed += 1;
          else changedMeanwhile += 1;
        }
        const last = rows.at(-1);
        if (last === undefined || rows.length < PAGE_SIZE) break;
        after = last.row;
      }
    }
  } finally {
    db.close();
  }
  return { resealed, alreadyCurrent, changedMeanwhile };
}
