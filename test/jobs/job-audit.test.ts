// Every job action on one key is recorded through the runner: exactly one audit event per action,
// with Arca's own principal, the key, source `job`, and whether the action was done (Success),
// left to another writer (Skipped) or failed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyArn } from '../../src/domain/arn.js';
import type { AuditEvent } from '../../src/domain/audit-event.js';
import { keyIdReference } from '../../src/domain/key-reference.js';
import { KeyState } from '../../src/domain/key-state.js';
import { DeletionJob } from '../../src/jobs/deletion-job.js';
import type { Job } from '../../src/jobs/job.js';
import { RotationJob } from '../../src/jobs/rotation-job.js';
import { scheduleKeyDeletion } from '../../src/operations/schedule-key-deletion.js';
import { SYSTEM_PRINCIPAL } from '../../src/pipeline/authorizer.js';
import { DAY, SCOPE, createPlainKey, createRotatingKey, harness, type Harness } from './support.js';

/** Runs the job once and returns the audit events emitted meanwhile. */
async function eventsOfRun(h: Harness, job: Job): Promise<AuditEvent[]> {
  const before = h.auditEvents.length;
  await job.run(h.clock.now());
  return h.auditEvents.slice(before);
}

function assertOneJobEvent(events: readonly AuditEvent[], expected: { action: string; keyId: string; result: string }): AuditEvent {
  assert.equal(events.length, 1, `exactly one event, got ${JSON.stringify(events)}`);
  const [event] = events as [AuditEvent];
  assert.equal(event.source, 'job');
  assert.equal(event.action, expected.action);
  assert.deepEqual(event.identity, { type: 'system', principal: SYSTEM_PRINCIPAL });
  assert.deepEqual(event.resources, [{ role: 'key', arn: keyArn(SCOPE, expected.keyId), keyId: expected.keyId }]);
  assert.equal(event.result, expected.result);
  return event;
}

void describe('job actions in the audit trail', () => {
  void it('a rotation emits exactly one event: source job, the key, Success', async () => {
    const h = harness();
    const key = await createRotatingKey(h, '7d');
    h.clock.advance(7 * DAY);
    const event = assertOneJobEvent(await eventsOfRun(h, new RotationJob(h.keys, h.runner)), {
      action: 'RotateKey',
      keyId: key.keyId,
      result: 'Success',
    });
    assert.equal(event.errorKind, undefined);
    assert.equal(event.eventTime, h.clock.now());
    // Nothing due, nothing recorded.
    assert.deepEqual(await eventsOfRun(h, new RotationJob(h.keys, h.runner)), []);
  });

  void it('a rotation that finds the key changed by another writer first emits exactly one event: Skipped', async () => {
    const h = harness();
    const key = await createRotatingKey(h, '7d');
    h.clock.advance(7 * DAY);
    const store = h.store;
    const listDue = store.listKeysDueForRotation.bind(store);
    store.listKeysDueForRotation = async (nowMs, limit) => {
      const due = await listDue(nowMs, limit);
      const current = await store.getKey(key.keyId);
      assert.ok(current);
      await store.updateKey({ ...current, description: 'changed meanwhile', revision: current.revision + 1 }, current.revision);
      store.listKeysDueForRotation = listDue;
      return due;
    };
    const event = assertOneJobEvent(await eventsOfRun(h, new RotationJob(h.keys, h.runner)), {
      action: 'RotateKey',
      keyId: key.keyId,
      result: 'Skipped',
    });
    assert.equal(event.errorKind, undefined);
  });

  void it('a rotation that fails emits exactly one event, with the failure', async () => {
    const h = harness();
    const key = await createRotatingKey(h, '7d');
    h.clock.advance(7 * DAY);
    const store = h.store;
    const addKeyVersion = store.addKeyVersion.bind(store);
    store.addKeyVersion = () => {
      store.addKeyVersion = addKeyVersion;
      return Promise.reject(new Error('disk full'));
    };
    const event = assertOneJobEvent(await eventsOfRun(h, new RotationJob(h.keys, h.runner)), {
      action: 'RotateKey',
      keyId: key.keyId,
      result: 'Internal',
    });
    assert.equal(event.errorKind, 'Internal');
  });

  void it('a deletion emits exactly one event: source job, the key, Success', async () => {
    const h = harness();
    const key = await createPlainKey(h);
    await h.run(scheduleKeyDeletion, { key: keyIdReference(key.keyId), pendingWindowInDays: 7 });
    h.clock.advance(7 * DAY);
    assertOneJobEvent(await eventsOfRun(h, new DeletionJob(h.keys, h.runner)), {
      action: 'DeleteKey',
      keyId: key.keyId,
      result: 'Success',
    });
  });

  void it('a deletion that another writer’s CancelKeyDeletion beat emits exactly one event: Skipped', async () => {
    const h = harness();
    const key = await createPlainKey(h);
    await h.run(scheduleKeyDeletion, { key: keyIdReference(key.keyId), pendingWindowInDays: 7 });
    h.clock.advance(7 * DAY);
    const store = h.store;
    const listDue = store.listKeysDueForDeletion.bind(store);
    store.listKeysDueForDeletion = async (nowMs, limit) => {
      const due = await listDue(nowMs, limit);
      store.listKeysDueForDeletion = listDue;
      // Another process cancels the deletion after the job read the key.
      const current = await store.getKey(key.keyId);
      assert.ok(current);
      await store.updateKey({ ...current, keyState: KeyState.Enabled, deleteDate: null, revision: current.revision + 1 }, current.revision);
      return due;
    };
    assertOneJobEvent(await eventsOfRun(h, new DeletionJob(h.keys, h.runner)), {
      action: 'DeleteKey',
      keyId: key.keyId,
      result: 'Skipped',
    });
    assert.equal((await store.getKey(key.keyId))?.keyState, KeyState.Enabled);
  });
});
