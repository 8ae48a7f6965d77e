// Job actions in the durable trail (a real SQLite trail): the rotation job's intent and event,
// with Arca's own principal as the caller and AliyunServiceEvent as the type, and the trail verifies.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { AuditChainWriter } from '../../src/audit/audit-chain-writer.js';
import { SqliteAuditStore } from '../../src/audit/sqlite-audit-store.js';
import { parseTrailRecord, type TrailRecord } from '../../src/audit/trail-event.js';
import { verifyTrail } from '../../src/audit/verify-trail.js';
import { RotationJob } from '../../src/jobs/rotation-job.js';
import { SYSTEM_PRINCIPAL } from '../../src/pipeline/authorizer.js';
import { createRotatingKey, DAY, harness } from '../jobs/support.js';
import { migratedDatabase, newSigner, withReader } from './trail-fixtures.js';

let database: Awaited<ReturnType<typeof migratedDatabase>>;
beforeEach(async () => {
  database = await migratedDatabase();
});
afterEach(() => {
  database.remove();
});

describe('job actions in the durable trail', () => {
  it('a rotation is an intent and an event with the job as principal, and the trail verifies', async () => {
    const signer = newSigner();
    const store = SqliteAuditStore.open(database.path);
    const h0 = harness();
    const writer = new AuditChainWriter({ store, signer, clock: h0.clock, logger: pino({ level: 'silent' }) });
    await writer.start();
    const h = harness({ clock: h0.clock, trail: writer });
    const key = await createRotatingKey(h, '7d');
    h.clock.advance(7 * DAY);
    await new RotationJob(h.keys, h.runner).run(h.clock.now());
    await writer.close();
    await store.close();

    const records = await withReader(database.path, (reader) => reader.readChain(writer.chainId ?? '', 0, 100));
    const rotation = records
      .map((record) => parseTrailRecord(record.body))
      .filter((record): record is TrailRecord => record !== undefined && 'eventName' in record && record.eventName === 'RotateKey');
    assert.deepEqual(
      rotation.map((record) => record.recordType),
      ['intent', 'event'],
    );
    const event = rotation[1];
    assert.ok(event?.recordType === 'event');
    assert.equal(event.eventType, 'AliyunServiceEvent');
    assert.equal(event.eventSource, 'job');
    assert.equal(event.eventRW, 'Write');
    assert.deepEqual(event.userIdentity, { type: 'system', principalId: SYSTEM_PRINCIPAL });
    assert.equal(event.resources[0]?.keyId, key.keyId);
    assert.equal(event.errorCode, undefined);
    const report = await withReader(database.path, (reader) => verifyTrail(reader, signer.publicKey));
    assert.equal(report.ok, true, JSON.stringify(report.problems));
  });
});
