// The chain writer on a real SQLite trail: one chain per writer, checkpoints only when the head
// moved, and after a failed append a new chain, so that the trail still verifies.
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { AuditChainWriter } from '../../src/audit/audit-chain-writer.js';
import { CheckpointSigner } from '../../src/audit/signing-key.js';
import { SqliteAuditStore } from '../../src/audit/sqlite-audit-store.js';
import { verifyTrail } from '../../src/audit/verify-trail.js';
import type { AuditChainRecord, AuditCheckpoint, AuditStore } from '../../src/domain/ports.js';
import { migratedDatabase, sampleEvent, T0, withReader } from './trail-fixtures.js';

/** The real store, whose next append fails when a test says so (a full disk, for the writer). */
class FailingStore implements AuditStore {
  failNextAppend = false;
  readonly #inner: AuditStore;
  constructor(inner: AuditStore) {
    this.#inner = inner;
  }
  append(records: readonly AuditChainRecord[]): Promise<void> {
    if (this.failNextAppend) {
      this.failNextAppend = false;
      return Promise.reject(new Error('disk full'));
    }
    return this.#inner.append(records);
  }
  appendCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    return this.#inner.appendCheckpoint(checkpoint);
  }
  listChains(): Promise<string[]> {
    return this.#inner.listChains();
  }
  readChain(chainId: string, afterSequence: number, limit: number): Promise<AuditChainRecord[]> {
    return this.#inner.readChain(chainId, afterSequence, limit);
  }
  readByTime(range: { since: number; until: number }, limit: number): Promise<AuditChainRecord[]> {
    return this.#inner.readByTime(range, limit);
  }
  listCheckpoints(chainId?: string): Promise<AuditCheckpoint[]> {
    return this.#inner.listCheckpoints(chainId);
  }
  prune(retention: AuditCheckpoint): Promise<void> {
    return this.#inner.prune(retention);
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}

let database: Awaited<ReturnType<typeof migratedDatabase>>;
beforeEach(async () => {
  database = await migratedDatabase();
});
afterEach(() => {
  database.remove();
});

function newWriter(store: AuditStore, signer: CheckpointSigner): AuditChainWriter {
  return new AuditChainWriter({
    store,
    signer,
    clock: { now: () => T0 },
    logger: pino({ level: 'silent' }),
    checkpointIntervalMs: 3_600_000,
  });
}

describe('the audit chain writer', () => {
  it('signs a checkpoint only when the head moved, and a final one at close', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const store = SqliteAuditStore.open(database.path);
    const writer = newWriter(store, new CheckpointSigner(privateKey));
    await writer.start();
    await writer.record(sampleEvent(1));
    await writer.checkpoint('interval');
    await writer.checkpoint('interval');
    await writer.record(sampleEvent(2));
    await writer.close();
    await assert.rejects(writer.record(sampleEvent(3)), /closed/);
    const kinds = (await store.listCheckpoints()).map((checkpoint) => [checkpoint.sequence, checkpoint.kind]);
    assert.deepEqual(kinds, [
      [2, 'interval'],
      [3, 'final'],
    ]);
    await store.close();
  });

  it('after a failed append the next record opens a new chain, and both chains verify', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const store = new FailingStore(SqliteAuditStore.open(database.path));
    const writer = newWriter(store, new CheckpointSigner(privateKey));
    await writer.start();
    await writer.record(sampleEvent(1));
    const first = writer.chainId;
    store.failNextAppend = true;
    await assert.rejects(writer.record(sampleEvent(2)), /disk full/);
    await writer.record(sampleEvent(3));
    assert.notEqual(writer.chainId, first);
    await writer.close();
    await store.close();
    const report = await withReader(database.path, (reader) => verifyTrail(reader, createPublicKey(privateKey)));
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.deepEqual(
      report.chains.map((chain) => [chain.lastSequence, chain.finished]),
      [
        [2, false],
        [2, true],
      ],
    );
  });
});
