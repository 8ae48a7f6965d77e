import type { AuditChainRecord, AuditCheckpoint } from '../domain/ports.js';

/** What the main thread asks the audit writer thread to do; each request gets one reply. */
export type WriterRequest =
  | { readonly id: number; readonly kind: 'append'; readonly records: readonly AuditChainRecord[] }
  | { readonly id: number; readonly kind: 'checkpoint'; readonly checkpoint: AuditCheckpoint }
  | { readonly id: number; readonly kind: 'prune'; readonly checkpoint: AuditCheckpoint }
  | { readonly id: number; readonly kind: 'close' };

/** Sent once the request's transaction committed (synced), or failed and left nothing. */
export type WriterReply =
  { readonly id: number; readonly ok: true } | { readonly id: number; readonly ok: false; readonly message: string };
