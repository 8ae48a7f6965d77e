// The worker thread behind ThreadedSqliteAuditStore: it owns the writing connection, so that the
// disk flush of every group commit (synchronous=FULL) blocks this thread, not the event loop that
// serves requests. Messages that arrive while a flush runs are committed together in the next one.
import { parentPort, workerData } from 'node:worker_threads';
import type { AuditCheckpoint } from '../domain/ports.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';
import type { WriterReply, WriterRequest } from './sqlite-audit-writer-protocol.js';

const port = parentPort;
if (!port) throw new Error('the audit writer runs as a worker thread');
const { path } = workerData as { path: string };
const store = SqliteAuditStore.open(path);

/** A Buffer crosses the thread boundary as a plain Uint8Array; SQLite binds Buffers. */
function withBufferSignature(checkpoint: AuditCheckpoint): AuditCheckpoint {
  return { ...checkpoint, signature: Buffer.from(checkpoint.signature) };
}

function perform(request: WriterRequest): Promise<void> {
  switch (request.kind) {
    case 'append':
      return store.append(request.records);
    case 'checkpoint':
      return store.appendCheckpoint(withBufferSignature(request.checkpoint));
    case 'prune':
      return store.prune(withBufferSignature(request.checkpoint));
    case 'close':
      return store.close();
  }
}

port.on('message', (request: WriterRequest) => {
  perform(request).then(
    () => port.postMessage({ id: request.id, ok: true } satisfies WriterReply),
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        ok: false,
        message: error instanceof Error ? error.message : String(error),
      } satisfies WriterReply),
  );
});
