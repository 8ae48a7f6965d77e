import { createHash } from 'node:crypto';
import type { AuditCheckpoint } from '../domain/ports.js';

// The byte formats of the trail (docs/adr/0028), in one place for the writer and the verifier.

/** The previous hash of a chain's first record. */
export const ZERO_HASH = '0'.repeat(64);

const RECORD_DOMAIN = 'arca-audit-record-v1';
const CHECKPOINT_DOMAIN = 'arca-audit-checkpoint-v1';

/**
 * SHA-256, lower-case hex, of the UTF-8 bytes of
 * `arca-audit-record-v1 LF chainId LF sequence LF previousHash LF body`
 * (sequence in decimal without leading zeros; body exactly as stored).
 */
export function recordHash(chainId: string, sequence: number, previousHash: string, body: string): string {
  return createHash('sha256').update(`${RECORD_DOMAIN}\n${chainId}\n${sequence}\n${previousHash}\n${body}`, 'utf8').digest('hex');
}

/**
 * What a checkpoint's Ed25519 signature covers: the UTF-8 bytes of
 * `arca-audit-checkpoint-v1 LF chainId LF sequence LF headHash LF time LF kind LF keyId`.
 */
export function checkpointMessage(checkpoint: Omit<AuditCheckpoint, 'signature'>): Buffer {
  const { chainId, sequence, headHash, time, kind, keyId } = checkpoint;
  return Buffer.from(`${CHECKPOINT_DOMAIN}\n${chainId}\n${sequence}\n${headHash}\n${time}\n${kind}\n${keyId}`, 'utf8');
}
