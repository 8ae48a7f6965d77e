import type { KeyObject } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { AuditChainRecord, AuditCheckpoint, AuditStore, Clock } from '../domain/ports.js';
import { checkpointMessage } from './chain-format.js';
import type { CheckpointSigner } from './signing-key.js';
import { verifyChain } from './verify-trail.js';

const DAY_MS = 86_400_000;
const PAGE = 1000;

export interface TrailRetentionOptions {
  readonly store: AuditStore;
  readonly signer: CheckpointSigner;
  /** The signer's public half, to verify what is about to be pruned. */
  readonly verifyingKey: KeyObject;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retentionDays: number;
  /** Where pruned records go first, appended as JSON lines (chainId, sequence, previousHash, hash, eventTime, body). */
  readonly exportFile: string;
}

/** What one pass pruned, chain by chain. */
export interface RetentionPass {
  readonly pruned: ReadonlyArray<{ readonly chainId: string; readonly upToSequence: number; readonly records: number }>;
}

/**
 * `--audit-retention-days` (docs/adr/0028): the records older than the retention period are
 * appended to the export file (synced), then deleted, leaving a signed `retention` checkpoint
 * where each kept chain now starts. Only a prefix of a chain goes: the records up to the first
 * one inside the period. A chain that does not verify is not pruned (signing a retention
 * checkpoint over it would vouch for the tampering); it is logged, and `verify` names it.
 */
export async function pruneTrail(options: TrailRetentionOptions): Promise<RetentionPass> {
  const cutoff = options.clock.now() - options.retentionDays * DAY_MS;
  const keyId = options.signer.keyId;
  const pruned: Array<{ chainId: string; upToSequence: number; records: number }> = [];
  for (const chainId of await options.store.listChains()) {
    const verified = await verifyChain(options.store, chainId, options.verifyingKey, keyId);
    if (verified.problem) {
      options.logger.error({ chainId, sequence: verified.problem.sequence }, 'audit retention: chain does not verify, not pruned');
      continue;
    }
    const expired = await expiredPrefix(options.store, chainId, verified.summary.firstSequence - 1, cutoff);
    const last = expired.at(-1);
    if (!last) continue;
    await appendAndSync(options.exportFile, expired);
    const unsigned: Omit<AuditCheckpoint, 'signature'> = {
      chainId,
      sequence: last.sequence,
      headHash: last.hash,
      time: options.clock.now(),
      kind: 'retention',
      keyId,
    };
    await options.store.prune({ ...unsigned, signature: options.signer.sign(checkpointMessage(unsigned)) });
    pruned.push({ chainId, upToSequence: last.sequence, records: expired.length });
  }
  return { pruned };
}

/** The chain's records from `afterSequence` on, up to (not including) the first inside the period. */
async function expiredPrefix(store: AuditStore, chainId: string, afterSequence: number, cutoff: number): Promise<AuditChainRecord[]> {
  const expired: AuditChainRecord[] = [];
  let after = afterSequence;
  for (;;) {
    const page = await store.readChain(chainId, after, PAGE);
    for (const record of page) {
      if (record.eventTime >= cutoff) return expired;
      expired.push(record);
    }
    if (page.length < PAGE) return expired;
    after = page.at(-1)?.sequence ?? after;
  }
}

async function appendAndSync(path: string, records: readonly AuditChainRecord[]): Promise<void> {
  const file = await open(path, 'a', 0o600);
  try {
    await file.write(records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    await file.sync();
  } finally {
    await file.close();
  }
}
