// Retention on a real SQLite trail: old records are exported, then pruned behind a signed
// retention checkpoint, and what is kept still verifies; a tampered chain is not pruned.
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { recordHash, ZERO_HASH } from '../../src/audit/chain-format.js';
import { CheckpointSigner } from '../../src/audit/signing-key.js';
import { SqliteAuditStore } from '../../src/audit/sqlite-audit-store.js';
import { pruneTrail } from '../../src/audit/trail-retention.js';
import { verifyTrail } from '../../src/audit/verify-trail.js';
import type { AuditChainRecord } from '../../src/domain/ports.js';
import { migratedDatabase, T0, tamper, withReader, writeTrail } from './trail-fixtures.js';

const DAY_MS = 86_400_000;

let database: Awaited<ReturnType<typeof migratedDatabase>>;
let signer: CheckpointSigner;
let verifyingKey: ReturnType<typeof createPublicKey>;

beforeEach(async () => {
  database = await migratedDatabase();
  const { privateKey } = generateKeyPairSync('ed25519');
  signer = new CheckpointSigner(privateKey);
  verifyingKey = createPublicKey(privateKey);
});
afterEach(() => {
  database.remove();
});

async function prune(nowMs: number, exportFile: string) {
  const store = SqliteAuditStore.open(database.path);
  try {
    return await pruneTrail({
      store,
      signer,
      verifyingKey,
      clock: { now: () => nowMs },
      logger: pino({ level: 'silent' }),
      retentionDays: 1,
      exportFile,
    });
  } finally {
    await store.close();
  }
}

describe('audit retention', () => {
  it('exports then prunes the records older than the period; the kept chain and the export both verify', async () => {
    const { chainId } = await writeTrail(database.path, signer, { events: 10, checkpointAfter: [3] });
    const exportFile = join(database.dir, 'retained.jsonl');
    // Events are at T0 + n s; the chain start at T0. A day and 5.5 s later, the start and events 1–5 are older than a day.
    const pass = await prune(T0 + DAY_MS + 5_500, exportFile);
    assert.deepEqual(pass.pruned, [{ chainId, upToSequence: 6, records: 6 }]);
    const report = await withReader(database.path, (store) => verifyTrail(store, verifyingKey));
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.deepEqual(
      report.chains.map((chain) => [chain.firstSequence, chain.lastSequence, chain.finished]),
      [[7, 11, true]],
    );
    const exported = readFileSync(exportFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditChainRecord);
    assert.deepEqual(
      exported.map((record) => record.sequence),
      [1, 2, 3, 4, 5, 6],
    );
    let previous = ZERO_HASH;
    for (const record of exported) {
      assert.equal(record.previousHash, previous);
      assert.equal(record.hash, recordHash(record.chainId, record.sequence, record.previousHash, record.body));
      previous = record.hash;
    }
    // Nothing more is old enough: a second pass prunes nothing.
    assert.deepEqual((await prune(T0 + DAY_MS + 5_500, exportFile)).pruned, []);
  });

  it('a chain that does not verify is not pruned', async () => {
    const { chainId } = await writeTrail(database.path, signer, { events: 4 });
    tamper(database.path, (db) => db.prepare('DELETE FROM audit_records WHERE chain_id = ? AND sequence = 2').run(chainId));
    const pass = await prune(T0 + 10 * DAY_MS, join(database.dir, 'retained.jsonl'));
    assert.deepEqual(pass.pruned, []);
    const records = await withReader(database.path, (store) => store.readChain(chainId, 0, 100));
    assert.equal(records.length, 4);
  });
});
