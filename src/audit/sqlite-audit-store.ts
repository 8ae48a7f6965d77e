import Database from 'better-sqlite3';
import type { AuditChainRecord, AuditCheckpoint, AuditStore } from '../domain/ports.js';

/** As the key store: how long a write waits for another connection (or process) to release the file. */
const BUSY_TIMEOUT_MS = 5000;

const INSERT_RECORD = `INSERT INTO audit_records (chain_id, sequence, previous_hash, hash, event_time, body)
  VALUES (@chain_id, @sequence, @previous_hash, @hash, @event_time, @body)`;
const INSERT_CHECKPOINT = `INSERT INTO audit_checkpoints (chain_id, sequence, head_hash, time, kind, key_id, signature)
  VALUES (@chain_id, @sequence, @head_hash, @time, @kind, @key_id, @signature)`;
// A chain is listed where its first kept record is, or (every record pruned) its first checkpoint.
const SELECT_CHAINS = `SELECT chain_id FROM (
    SELECT chain_id, MIN(rowid) AS first, 0 AS pruned FROM audit_records GROUP BY chain_id
    UNION ALL
    SELECT chain_id, MIN(rowid) AS first, 1 AS pruned FROM audit_checkpoints GROUP BY chain_id
  ) GROUP BY chain_id ORDER BY MIN(pruned), MIN(CASE pruned WHEN 0 THEN first END), MIN(first)`;
const SELECT_CHAIN = `SELECT * FROM audit_records WHERE chain_id = ? AND sequence > ? ORDER BY sequence LIMIT ?`;
const SELECT_BY_TIME = `SELECT * FROM audit_records
  WHERE event_time >= @since AND event_time < @until
    AND (event_time, chain_id, sequence) > (@after_time, @after_chain, @after_sequence)
  ORDER BY event_time, chain_id, sequence LIMIT @limit`;
const SELECT_CHECKPOINTS = `SELECT * FROM audit_checkpoints ORDER BY chain_id, sequence, kind`;
const SELECT_CHECKPOINTS_OF_CHAIN = `SELECT * FROM audit_checkpoints WHERE chain_id = ? ORDER BY sequence, kind`;
const DELETE_UP_TO = `DELETE FROM audit_records WHERE chain_id = ? AND sequence <= ?`;

interface RecordRow {
  chain_id: string;
  sequence: number;
  previous_hash: string;
  hash: string;
  event_time: number;
  body: string;
}

interface CheckpointRow {
  chain_id: string;
  sequence: number;
  head_hash: string;
  time: number;
  kind: string;
  key_id: string;
  signature: Buffer;
}

function recordToRow(record: AuditChainRecord): RecordRow {
  return {
    chain_id: record.chainId,
    sequence: record.sequence,
    previous_hash: record.previousHash,
    hash: record.hash,
    event_time: record.eventTime,
    body: record.body,
  };
}

function rowToRecord(row: RecordRow): AuditChainRecord {
  return {
    chainId: row.chain_id,
    sequence: row.sequence,
    previousHash: row.previous_hash,
    hash: row.hash,
    eventTime: row.event_time,
    body: row.body,
  };
}

function checkpointToRow(checkpoint: AuditCheckpoint): CheckpointRow {
  return {
    chain_id: checkpoint.chainId,
    sequence: checkpoint.sequence,
    head_hash: checkpoint.headHash,
    time: checkpoint.time,
    kind: checkpoint.kind,
    key_id: checkpoint.keyId,
    signature: checkpoint.signature,
  };
}

function checkpointKind(kind: string): AuditCheckpoint['kind'] {
  if (kind === 'interval' || kind === 'final' || kind === 'retention') return kind;
  // The table's CHECK admits no other; a file edited around it is the verifier's to report.
  throw new Error(`unknown audit checkpoint kind ${JSON.stringify(kind)}`);
}

function rowToCheckpoint(row: CheckpointRow): AuditCheckpoint {
  return {
    chainId: row.chain_id,
    sequence: row.sequence,
    headHash: row.head_hash,
    time: row.time,
    kind: checkpointKind(row.kind),
    keyId: row.key_id,
    signature: row.signature,
  };
}

interface QueuedAppend {
  /** The chains the work appends to: abandoned if it fails. */
  readonly chainIds: readonly string[];
  readonly work: () => void;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The audit trail in the Arca database file, on its own connection (the key store's schema
 * migration creates the tables). Appends are group-committed as the key store's writes are: every
 * append queued in one turn of the event loop runs in one IMMEDIATE transaction, synced to disk
 * (synchronous=FULL), and their promises settle after COMMIT. Unlike the key store, a group is all
 * or nothing: the records of one chain must not be stored with a gap, so when any append fails the
 * whole group is refused, and the writer starts a new chain (docs/adr/0028).
 */
export class SqliteAuditStore implements AuditStore {
  readonly #db: Database.Database;
  readonly #insertRecord: Database.Statement<RecordRow>;
  readonly #insertCheckpoint: Database.Statement<CheckpointRow>;
  #queued: QueuedAppend[] = [];
  #flushScheduled = false;
  /** Chains a failed group had records of: a later record would follow a gap, so none is taken. */
  readonly #abandonedChains = new Set<string>();

  private constructor(db: Database.Database) {
    this.#db = db;
    this.#insertRecord = db.prepare<RecordRow>(INSERT_RECORD);
    this.#insertCheckpoint = db.prepare<CheckpointRow>(INSERT_CHECKPOINT);
  }

  /** A writing connection to a database whose schema is current (opened by the key store first). */
  static open(filePath: string): SqliteAuditStore {
    const db = new Database(filePath, { timeout: BUSY_TIMEOUT_MS, fileMustExist: true });
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      if (db.pragma('journal_mode = WAL', { simple: true }) !== 'wal') throw new Error('SQLite refused WAL journal mode');
      db.pragma('synchronous = FULL');
      return new SqliteAuditStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * A reading connection for the audit commands: it writes nothing, so it works on a copy of the
   * data directory and beside a running server.
   */
  static openForReading(filePath: string): SqliteAuditStore {
    const db = new Database(filePath, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    try {
      return new SqliteAuditStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  append(records: readonly AuditChainRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const abandoned = records.find((record) => this.#abandonedChains.has(record.chainId));
    if (abandoned) return Promise.reject(new Error(`audit chain ${abandoned.chainId} was abandoned after a failed append`));
    const rows = records.map(recordToRow);
    return this.#queue(() => {
      for (const row of rows) this.#insertRecord.run(row);
    }, [...new Set(records.map((record) => record.chainId))]);
  }

  appendCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    const row = checkpointToRow(checkpoint);
    return this.#queue(() => {
      this.#insertCheckpoint.run(row);
    });
  }

  listChains(): Promise<string[]> {
    return this.#read(() =>
      this.#db
        .prepare<[], { chain_id: string }>(SELECT_CHAINS)
        .all()
        .map((row) => row.chain_id),
    );
  }

  readChain(chainId: string, afterSequence: number, limit: number): Promise<AuditChainRecord[]> {
    return this.#read(() =>
      this.#db.prepare<[string, number, number], RecordRow>(SELECT_CHAIN).all(chainId, afterSequence, limit).map(rowToRecord),
    );
  }

  readByTime(
    range: { readonly since: number; readonly until: number },
    limit: number,
    after?: { readonly eventTime: number; readonly chainId: string; readonly sequence: number },
  ): Promise<AuditChainRecord[]> {
    const parameters = {
      since: range.since,
      until: range.until,
      after_time: after?.eventTime ?? Number.MIN_SAFE_INTEGER,
      after_chain: after?.chainId ?? '',
      after_sequence: after?.sequence ?? 0,
      limit,
    };
    return this.#read(() => this.#db.prepare<typeof parameters, RecordRow>(SELECT_BY_TIME).all(parameters).map(rowToRecord));
  }

  listCheckpoints(chainId?: string): Promise<AuditCheckpoint[]> {
    return this.#read(() => {
      const rows =
        chainId === undefined
          ? this.#db.prepare<[], CheckpointRow>(SELECT_CHECKPOINTS).all()
          : this.#db.prepare<[string], CheckpointRow>(SELECT_CHECKPOINTS_OF_CHAIN).all(chainId);
      return rows.map(rowToCheckpoint);
    });
  }

  prune(retention: AuditCheckpoint): Promise<void> {
    const row = checkpointToRow(retention);
    return this.#queue(() => {
      // The checkpoint first: the delete trigger lets records go only below a retention checkpoint.
      this.#insertCheckpoint.run(row);
      this.#db.prepare<[string, number]>(DELETE_UP_TO).run(retention.chainId, retention.sequence);
    });
  }

  /** Commits what is queued, then closes. */
  close(): Promise<void> {
    this.#commitQueued();
    try {
      this.#db.close();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #queue(work: () => void, chainIds: readonly string[] = []): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queued.push({ work, chainIds, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#commitQueued());
      }
    });
  }

  #commitQueued(): void {
    this.#flushScheduled = false;
    const group = this.#queued;
    this.#queued = [];
    if (group.length === 0) return;
    try {
      this.#db
        .transaction(() => {
          for (const { work } of group) work();
        })
        .immediate();
    } catch (error) {
      for (const { chainIds, reject } of group) {
        for (const chainId of chainIds) this.#abandonedChains.add(chainId);
        reject(error);
      }
      return;
    }
    for (const { resolve } of group) resolve();
  }

  /** One deferred transaction, so that the statements of one read see one snapshot. */
  #read<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(this.#db.transaction(work).deferred());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
