import { Worker } from 'node:worker_threads';
import type { AuditChainRecord, AuditCheckpoint, AuditStore } from '../domain/ports.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';
import type { WriterReply, WriterRequest } from './sqlite-audit-writer-protocol.js';

const RUNS_FROM_SOURCES = import.meta.url.endsWith('.ts');

/**
 * Starts the thread on its entry beside this module: the `.js` when compiled; when the sources
 * run under tsx (the tests), the `.ts` through tsx's loader, which a thread does not inherit.
 */
function startWriterThread(filePath: string): Worker {
  const workerData = { path: filePath };
  if (!RUNS_FROM_SOURCES) return new Worker(new URL('./sqlite-audit-writer-thread.js', import.meta.url), { workerData });
  const entry = new URL('./sqlite-audit-writer-thread.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

type Pending = { resolve: () => void; reject: (error: Error) => void };
type Unsent = WriterRequest extends infer R ? (R extends WriterRequest ? Omit<R, 'id'> : never) : never;

/**
 * The server's audit store: writes go to a worker thread that owns the writing connection and
 * group-commits there (src/audit/sqlite-audit-writer-thread.ts), so a disk flush never stalls
 * the requests on the main thread; reads use a read-only connection here. A write resolves once
 * its transaction is synced, exactly as with SqliteAuditStore. If the thread dies, every pending
 * and later write rejects: the trail fails closed.
 */
export class ThreadedSqliteAuditStore implements AuditStore {
  readonly #worker: Worker;
  readonly #reader: SqliteAuditStore;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #failure: Error | undefined;

  private constructor(worker: Worker, reader: SqliteAuditStore) {
    this.#worker = worker;
    this.#reader = reader;
    worker.on('message', (reply: WriterReply) => this.#settle(reply));
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) => this.#fail(new Error(`the audit writer thread exited (${code})`)));
  }

  /** Starts the writer thread on a database whose schema is current, and waits until it is open. */
  static async open(filePath: string): Promise<ThreadedSqliteAuditStore> {
    const worker = startWriterThread(filePath);
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    return new ThreadedSqliteAuditStore(worker, SqliteAuditStore.openForReading(filePath));
  }

  append(records: readonly AuditChainRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return this.#send({ kind: 'append', records });
  }

  appendCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    return this.#send({ kind: 'checkpoint', checkpoint });
  }

  prune(retention: AuditCheckpoint): Promise<void> {
    return this.#send({ kind: 'prune', checkpoint: retention });
  }

  listChains(): Promise<string[]> {
    return this.#reader.listChains();
  }

  readChain(chainId: string, afterSequence: number, limit: number): Promise<AuditChainRecord[]> {
    return this.#reader.readChain(chainId, afterSequence, limit);
  }

  readByTime(
    range: { readonly since: number; readonly until: number },
    limit: number,
    after?: { readonly eventTime: number; readonly chainId: string; readonly sequence: number },
  ): Promise<AuditChainRecord[]> {
    return this.#reader.readByTime(range, limit, after);
  }

  listCheckpoints(chainId?: string): Promise<AuditCheckpoint[]> {
    return this.#reader.listCheckpoints(chainId);
  }

  /** Commits what the thread holds, closes its connection and the reader, and ends the thread. */
  async close(): Promise<void> {
    try {
      if (!this.#failure) await this.#send({ kind: 'close' });
    } finally {
      this.#failure ??= new Error('the audit store is closed');
      this.#worker.removeAllListeners('exit');
      await this.#worker.terminate();
      await this.#reader.close();
    }
  }

  #send(request: Unsent): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id });
    });
  }

  #settle(reply: WriterReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (reply.ok) pending.resolve();
    else pending.reject(new Error(reply.message));
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
  }
}
