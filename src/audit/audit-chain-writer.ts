import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditEvent, AuditIntent, AuditTrail } from '../domain/audit-event.js';
import type { AuditChainRecord, AuditCheckpoint, AuditStore, Clock } from '../domain/ports.js';
import { checkpointMessage, recordHash, ZERO_HASH } from './chain-format.js';
import type { CheckpointSigner } from './signing-key.js';
import { toTrailEvent, toTrailIntent, TRAIL_RECORD_VERSION, type TrailChainStart, type TrailRecord } from './trail-event.js';

/** How often a running writer signs a checkpoint of its chain's head (when the head moved). */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000;

export interface AuditChainWriterOptions {
  readonly store: AuditStore;
  readonly signer: CheckpointSigner;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly checkpointIntervalMs?: number;
}

interface ChainHead {
  readonly chainId: string;
  sequence: number;
  hash: string;
}

/**
 * This process's audit chain (docs/adr/0028): every record carries the SHA-256 of the one before,
 * and a signed checkpoint of the head is stored at intervals and at close. One chain per writer
 * process, so processes never contend for a shared tail.
 *
 * The head moves when a record is handed to the store, not when it commits: records are hashed in
 * the order they are appended, and the store keeps that order. If an append fails, the records of
 * that group were not stored, so the chain they would have continued is abandoned and the next
 * record opens a new chain; the old one ends at its last stored record, which its last checkpoint
 * may not reach (the verifier reports such a chain as unfinished, not as tampered).
 */
export class AuditChainWriter implements AuditTrail {
  readonly #store: AuditStore;
  readonly #signer: CheckpointSigner;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  #head: ChainHead | undefined;
  /** The last sequence of the current chain a checkpoint covers (0: none yet). */
  #checkpointed = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: AuditChainWriterOptions) {
    this.#store = options.store;
    this.#signer = options.signer;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#intervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
  }

  /** The current chain's id (a new one after a failed append). */
  get chainId(): string | undefined {
    return this.#head?.chainId;
  }

  /** Opens the first chain (durably) and starts the checkpoint timer. */
  async start(): Promise<void> {
    await this.#append([]);
    this.#timer = setInterval(() => {
      this.checkpoint('interval').catch((error: unknown) => this.#logger.error({ err: error }, 'audit checkpoint failed'));
    }, this.#intervalMs);
    this.#timer.unref();
  }

  recordIntent(intent: AuditIntent): Promise<void> {
    return this.#append([toTrailIntent(intent)]);
  }

  record(event: AuditEvent): Promise<void> {
    return this.#append([toTrailEvent(event)]);
  }

  /** Signs and stores a checkpoint of the head, unless one covers it already (a final one always). */
  async checkpoint(kind: 'interval' | 'final'): Promise<void> {
    const head = this.#head;
    if (!head || (head.sequence <= this.#checkpointed && kind === 'interval')) return;
    const unsigned: Omit<AuditCheckpoint, 'signature'> = {
      chainId: head.chainId,
      sequence: head.sequence,
      headHash: head.hash,
      time: this.#clock.now(),
      kind,
      keyId: this.#signer.keyId,
    };
    const sequence = head.sequence;
    await this.#store.appendCheckpoint({ ...unsigned, signature: this.#signer.sign(checkpointMessage(unsigned)) });
    if (this.#head === head) this.#checkpointed = Math.max(this.#checkpointed, sequence);
  }

  /** Stops the timer and signs the final checkpoint; appends after this are refused. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.checkpoint('final');
  }

  #append(records: readonly TrailRecord[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the audit trail is closed'));
    const opened = this.#head === undefined;
    const head = (this.#head ??= { chainId: randomUUID(), sequence: 0, hash: ZERO_HASH });
    const bodies: TrailRecord[] = opened ? [this.#chainStart(head.chainId), ...records] : [...records];
    const rows: AuditChainRecord[] = bodies.map((record) => this.#link(head, record));
    return this.#store.append(rows).catch((error: unknown) => {
      // Nothing of this group was stored: the chain cannot go on after a gap, so a new one begins.
      if (this.#head === head) {
        this.#head = undefined;
        this.#checkpointed = 0;
      }
      throw error;
    });
  }

  #link(head: ChainHead, record: TrailRecord): AuditChainRecord {
    const body = JSON.stringify(record);
    head.sequence += 1;
    const previousHash = head.hash;
    head.hash = recordHash(head.chainId, head.sequence, previousHash, body);
    return { chainId: head.chainId, sequence: head.sequence, previousHash, hash: head.hash, eventTime: Date.parse(record.eventTime), body };
  }

  #chainStart(chainId: string): TrailChainStart {
    return {
      recordType: 'chain-start',
      eventVersion: TRAIL_RECORD_VERSION,
      chainId,
      eventTime: new Date(this.#clock.now()).toISOString(),
      pid: process.pid,
      keyId: this.#signer.keyId,
    };
  }
}
