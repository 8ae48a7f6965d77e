import type { KeyObject } from 'node:crypto';
import type { AuditChainRecord, AuditCheckpoint, AuditStore } from '../domain/ports.js';
import { checkpointMessage, recordHash, ZERO_HASH } from './chain-format.js';
import { signingKeyId, verifyCheckpointSignature } from './signing-key.js';
import { parseTrailRecord } from './trail-event.js';

const PAGE = 1000;

/** One thing that does not hold; `sequence` names the first bad record of its chain. */
export interface TrailProblem {
  readonly chainId: string;
  readonly sequence: number;
  /** The event's id and request id, when the record at `sequence` still reads as one. */
  readonly eventId?: string;
  readonly requestId?: string;
  readonly message: string;
}

export interface ChainSummary {
  readonly chainId: string;
  /** The first kept sequence (above 1 after retention). */
  readonly firstSequence: number;
  readonly lastSequence: number;
  readonly checkpoints: number;
  /** Whether a valid final checkpoint covers the last record: its writer shut down cleanly. */
  readonly finished: boolean;
}

export interface TrailVerification {
  readonly ok: boolean;
  readonly chains: readonly ChainSummary[];
  readonly records: number;
  /** At most one per chain: verification of a chain stops at its first bad record. */
  readonly problems: readonly TrailProblem[];
}

/**
 * Checks every chain and checkpoint of the trail (docs/adr/0028): each record's hash and link to
 * the one before, sequences without gaps from 1 (or from the retention checkpoint where the kept
 * chain starts), every checkpoint's signature under `publicKey`, and that every checkpointed
 * head is still there with the hash it was signed with. Reads only.
 */
export async function verifyTrail(store: AuditStore, publicKey: KeyObject): Promise<TrailVerification> {
  const keyId = signingKeyId(publicKey);
  const chains: ChainSummary[] = [];
  const problems: TrailProblem[] = [];
  let records = 0;
  for (const chainId of await store.listChains()) {
    const result = await verifyChain(store, chainId, publicKey, keyId);
    chains.push(result.summary);
    records += result.records;
    if (result.problem) problems.push(result.problem);
  }
  return { ok: problems.length === 0, chains, records, problems };
}

export interface ChainResult {
  readonly summary: ChainSummary;
  readonly records: number;
  readonly problem?: TrailProblem;
}

function signatureHolds(checkpoint: AuditCheckpoint, publicKey: KeyObject, keyId: string): boolean {
  return checkpoint.keyId === keyId && verifyCheckpointSignature(publicKey, checkpointMessage(checkpoint), checkpoint.signature);
}

export async function verifyChain(store: AuditStore, chainId: string, publicKey: KeyObject, keyId: string): Promise<ChainResult> {
  const checkpoints = await store.listCheckpoints(chainId);
  const forged = checkpoints.find((checkpoint) => !signatureHolds(checkpoint, publicKey, keyId));
  const retention = checkpoints.filter((checkpoint) => checkpoint.kind === 'retention').at(-1);
  const start = retention ? retention.sequence + 1 : 1;
  const summaryOf = (lastSequence: number, records: number, finished = false): ChainSummary => ({
    chainId,
    firstSequence: start,
    lastSequence,
    checkpoints: checkpoints.length,
    finished,
  });
  if (forged) {
    return {
      summary: summaryOf(start - 1, 0),
      records: 0,
      problem: {
        chainId,
        sequence: forged.sequence,
        message: `the ${forged.kind} checkpoint at sequence ${forged.sequence} is not signed by the audit key`,
      },
    };
  }
  const checkpointed = new Set(checkpoints.map((checkpoint) => checkpoint.sequence));
  const hashes = new Map<number, string>();
  let expected = start;
  let previousHash = retention ? retention.headHash : ZERO_HASH;
  let records = 0;
  for (
    let page = await store.readChain(chainId, start - 1, PAGE);
    page.length > 0;
    page = await store.readChain(chainId, expected - 1, PAGE)
  ) {
    for (const record of page) {
      const problem = recordProblem(record, expected, previousHash);
      if (problem) return { summary: summaryOf(expected - 1, records), records, problem };
      if (checkpointed.has(record.sequence)) hashes.set(record.sequence, record.hash);
      previousHash = record.hash;
      expected += 1;
      records += 1;
    }
  }
  const last = expected - 1;
  if (retention) hashes.set(retention.sequence, retention.headHash);
  for (const checkpoint of checkpoints) {
    // What lies before the kept chain was pruned: only the retention checkpoint speaks for it.
    if (checkpoint.kind === 'retention' || checkpoint.sequence < start - 1) continue;
    if (checkpoint.sequence > last) {
      return {
        summary: summaryOf(last, records),
        records,
        problem: {
          chainId,
          sequence: last + 1,
          message: `records from sequence ${last + 1} are missing: a signed checkpoint says the chain reached ${checkpoint.sequence} (tail cut)`,
        },
      };
    }
    if (hashes.get(checkpoint.sequence) !== checkpoint.headHash) {
      return {
        summary: summaryOf(last, records),
        records,
        problem: {
          chainId,
          sequence: checkpoint.sequence,
          message: `the record at sequence ${checkpoint.sequence} is not the one its checkpoint signed`,
        },
      };
    }
  }
  const finished = checkpoints.some((checkpoint) => checkpoint.kind === 'final' && checkpoint.sequence === last);
  return { summary: summaryOf(last, records, finished), records };
}

/** Why `record` cannot be the next one of its chain, or undefined when it can. */
function recordProblem(record: AuditChainRecord, expected: number, previousHash: string): TrailProblem | undefined {
  const parsed = parseTrailRecord(record.body);
  const named = (message: string, sequence = record.sequence): TrailProblem => ({
    chainId: record.chainId,
    sequence,
    ...(parsed && 'eventId' in parsed ? { eventId: parsed.eventId } : {}),
    ...(parsed && 'requestId' in parsed ? { requestId: parsed.requestId } : {}),
    message,
  });
  if (record.sequence !== expected) {
    return named(`record ${expected} is missing (the next one stored is ${record.sequence}): deleted`, expected);
  }
  if (record.hash !== recordHash(record.chainId, record.sequence, record.previousHash, record.body)) {
    return named(`record ${record.sequence} does not match its hash: changed`);
  }
  if (record.previousHash !== previousHash) {
    return named(`record ${record.sequence} does not follow record ${record.sequence - 1}: inserted, reordered or replaced`);
  }
  if (!parsed) return named(`record ${record.sequence} is not a trail record`);
  if (Date.parse(parsed.eventTime) !== record.eventTime)
    return named(`record ${record.sequence} has a time column that differs from its body`);
  if (record.sequence === 1 && (parsed.recordType !== 'chain-start' || parsed.chainId !== record.chainId)) {
    return named('record 1 does not open its chain');
  }
  return undefined;
}
