// Verification of a real trail in a real SQLite file: an untouched trail holds; each kind of
// tampering an insider with the file could do is found, and the first bad record is named.
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { checkpointMessage } from '../../src/audit/chain-format.js';
import { CheckpointSigner } from '../../src/audit/signing-key.js';
import { verifyTrail, type TrailVerification } from '../../src/audit/verify-trail.js';
import { migratedDatabase, newSigner, tamper, withReader, writeTrail } from './trail-fixtures.js';

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

function verify(): Promise<TrailVerification> {
  return withReader(database.path, (store) => verifyTrail(store, verifyingKey));
}

/** The one problem a tampered trail has; fails unless there is exactly one. */
async function onlyProblem(): Promise<TrailVerification['problems'][number]> {
  const report = await verify();
  assert.equal(report.ok, false);
  assert.equal(report.problems.length, 1, JSON.stringify(report.problems));
  return report.problems[0]!;
}

describe('arca audit verify, the checks', () => {
  it('an untouched trail of two chains verifies, each closed by its final checkpoint', async () => {
    await writeTrail(database.path, signer, { events: 30, checkpointAfter: [10, 20] });
    await writeTrail(database.path, signer, { events: 5 });
    const report = await verify();
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.chains.length, 2);
    assert.equal(report.records, 31 + 6);
    assert.ok(report.chains.every((chain) => chain.finished));
  });

  it('a chain whose writer is still running (no final checkpoint) verifies, shown as open', async () => {
    await writeTrail(database.path, signer, { events: 4, close: false });
    const report = await verify();
    assert.equal(report.ok, true);
    assert.equal(report.chains[0]?.finished, false);
  });

  it('a changed event is found, and named by its sequence, event id and request id', async () => {
    const { chainId } = await writeTrail(database.path, signer, { events: 10 });
    tamper(database.path, (db) => {
      const row = db
        .prepare<[string], { body: string }>('SELECT body FROM audit_records WHERE chain_id = ? AND sequence = 5')
        .get(chainId)!;
      db.prepare('UPDATE audit_records SET body = ? WHERE chain_id = ? AND sequence = 5').run(
        row.body.replace('"eventName":"Encrypt"', '"eventName":"Decrypt"'),
        chainId,
      );
    });
    const problem = await onlyProblem();
    assert.equal(problem.chainId, chainId);
    assert.equal(problem.sequence, 5);
    assert.equal(problem.eventId, 'event-4');
    assert.equal(problem.requestId, 'request-4');
    assert.match(problem.message, /changed/);
  });

  it('a changed event whose hash was recomputed breaks the link of the next', async () => {
    const { chainId } = await writeTrail(database.path, signer, { events: 10 });
    const { recordHash } = await import('../../src/audit/chain-format.js');
    tamper(database.path, (db) => {
      const row = db
        .prepare<[string], { body: string; previous_hash: string }>(
          'SELECT body, previous_hash FROM audit_records WHERE chain_id = ? AND sequence = 5',
        )
        .get(chainId)!;
      const body = row.body.replace('admin', 'someone-else');
      db.prepare('UPDATE audit_records SET body = ?, hash = ? WHERE chain_id = ? AND sequence = 5').run(
        body,
        recordHash(chainId, 5, row.previous_hash, body),
        chainId,
      );
    });
    const problem = await onlyProblem();
    assert.equal(problem.sequence, 6);
    assert.match(problem.message, /does not follow/);
  });

  it('a deleted event is found', async () => {
    const { chainId } = await writeTrail(database.path, signer, { events: 10 });
    tamper(database.path, (db) => db.prepare('DELETE FROM audit_records WHERE chain_id = ? AND sequence = 4').run(chainId));
    const problem = await onlyProblem();
    assert.equal(problem.sequence, 4);
    assert.match(problem.message, /missing/);
  });

  it('an inserted event (the later ones renumbered to make room) is found', async () => {
    const { chainId } = await writeTrail(database.path, signer, { events: 10 });
    tamper(database.path, (db) => {
      // Renumber from the top down (the primary key), then put a forged record at 6.
      for (let sequence = 11; sequence >= 6; sequence--) {
        db.prepare('UPDATE audit_records SET sequence = ? WHERE chain_id = ? AND sequence = ?').run(sequence + 1, chainId, sequence);
      }
      const five = db
        .prepare<[string], { hash: string; body: string; event_time: number }>(
          'SELECT hash, body, event_time FROM audit_records WHERE chain_id = ? AND sequence = 5',
        )
        .get(chainId)!;
      db.prepare('INSERT INTO audit_records VALUES (?, 6, ?, ?, ?, ?)').run(
        chainId,
        five.hash,
        'f'.repeat(64),
        five.event_time,
        five.body.replace('event-4', 'event-forged'),
      );
    });
    const problem = await onlyProblem();
    assert.equal(problem.sequence, 6);
  });

  it('two events swapped (reordered) are found', async () => {
    const { chainId } = await writeTrail(database.path, signer, { events: 10 });
    tamper(database.path, (db) => {
      db.prepare('UPDATE audit_records SET sequence = 100 WHERE chain_id = ? AND sequence = 3').run(chainId);
      db.prepare('UPDATE audit_records SET sequence = 3 WHERE chain_id = ? AND sequence = 4').run(chainId);
      db.prepare('UPDATE audit_records SET sequence = 4 WHERE chain_id = ? AND sequence = 100').run(chainId);
    });
    const problem = await onlyProblem();
    assert.equal(problem.sequence, 3);
  });

  it('a tail cut after a checkpoint is found, naming the first missing record', async () => {
    const { chainId } = await writeTrail(database.path, signer, { events: 10, checkpointAfter: [8], close: false });
    tamper(database.path, (db) => db.prepare('DELETE FROM audit_records WHERE chain_id = ? AND sequence > 6').run(chainId));
    const problem = await onlyProblem();
    assert.equal(problem.sequence, 7);
    assert.match(problem.message, /tail cut/);
  });

  it('a tail cut and the final checkpoint rewritten by someone without the key is found', async () => {
    const { chainId } = await writeTrail(database.path, signer, { events: 10 });
    const forger = newSigner();
    tamper(database.path, (db) => {
      db.prepare('DELETE FROM audit_records WHERE chain_id = ? AND sequence > 6').run(chainId);
      const head = db
        .prepare<[string], { hash: string }>('SELECT hash FROM audit_records WHERE chain_id = ? AND sequence = 6')
        .get(chainId)!;
      const unsigned = { chainId, sequence: 6, headHash: head.hash, time: 1, kind: 'final' as const, keyId: forger.keyId };
      db.prepare("DELETE FROM audit_checkpoints WHERE chain_id = ? AND kind = 'final'").run(chainId);
      db.prepare('INSERT INTO audit_checkpoints VALUES (?, 6, ?, 1, ?, ?, ?)').run(
        chainId,
        head.hash,
        'final',
        forger.keyId,
        forger.sign(checkpointMessage(unsigned)),
      );
    });
    const problem = await onlyProblem();
    assert.match(problem.message, /not signed by the audit key/);
  });

  it('a checkpoint whose head record was replaced wholesale (the chain rehashed after it) is found', async () => {
    const { chainId } = await writeTrail(database.path, signer, { events: 6, checkpointAfter: [3], close: false });
    const { recordHash } = await import('../../src/audit/chain-format.js');
    tamper(database.path, (db) => {
      // Rewrite records 2..7 with a consistent chain: only the signed checkpoint at 3 can tell.
      let previous = db
        .prepare<[string], { hash: string }>('SELECT hash FROM audit_records WHERE chain_id = ? AND sequence = 1')
        .get(chainId)!.hash;
      for (let sequence = 2; sequence <= 7; sequence++) {
        const row = db
          .prepare<[string, number], { body: string }>('SELECT body FROM audit_records WHERE chain_id = ? AND sequence = ?')
          .get(chainId, sequence)!;
        const body = row.body.replace('admin', 'nobody');
        const hash = recordHash(chainId, sequence, previous, body);
        db.prepare('UPDATE audit_records SET body = ?, previous_hash = ?, hash = ? WHERE chain_id = ? AND sequence = ?').run(
          body,
          previous,
          hash,
          chainId,
          sequence,
        );
        previous = hash;
      }
    });
    const problem = await onlyProblem();
    // The checkpoint after the third event: the chain start is record 1, so that event is record 4.
    assert.equal(problem.sequence, 4);
    assert.match(problem.message, /not the one its checkpoint signed/);
  });

  it('another verifying key does not verify the checkpoints', async () => {
    await writeTrail(database.path, signer, { events: 3 });
    verifyingKey = createPublicKey(generateKeyPairSync('ed25519').privateKey);
    const problem = await onlyProblem();
    assert.match(problem.message, /not signed by the audit key/);
  });
});
