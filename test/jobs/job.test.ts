import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Key } from '../../src/domain/key.js';
import { drainDueKeys, type DueKeyOutcome } from '../../src/jobs/job.js';

/** A due list over ids alone: keys leave it when the handler says so. */
function dueList(ids: readonly string[]) {
  const due = new Set(ids);
  const limits: number[] = [];
  return {
    due,
    limits,
    list: (limit: number): Promise<Key[]> => {
      limits.push(limit);
      return Promise.resolve([...due].slice(0, limit).map((keyId) => ({ keyId }) as Key));
    },
  };
}

void describe('drainDueKeys', () => {
  void it('hands every due key over once, batch by batch, until none is due', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `k${i}`);
    const { due, limits, list } = dueList(ids);
    const handled: string[] = [];
    const report = await drainDueKeys(
      list,
      (key) => {
        handled.push(key.keyId);
        due.delete(key.keyId);
        return Promise.resolve('done');
      },
      undefined,
      3,
    );
    assert.deepEqual(handled, ids);
    assert.deepEqual(report, { done: ids, skipped: [], failures: [] });
    assert.deepEqual(limits, [3, 3, 3, 3]);
  });

  void it('keys that stay due (skipped or failed) are tried once per run and do not hide the keys behind them', async () => {
    const stuck = ['s0', 's1', 's2', 's3'];
    const healthy = ['h0', 'h1', 'h2', 'h3', 'h4'];
    const { due, list } = dueList([...stuck, ...healthy]);
    const handled: string[] = [];
    const report = await drainDueKeys(
      list,
      (key): Promise<DueKeyOutcome> => {
        handled.push(key.keyId);
        if (key.keyId === 's0' || key.keyId === 's1') return Promise.reject(new Error(`cannot ${key.keyId}`));
        if (stuck.includes(key.keyId)) return Promise.resolve('skipped');
        due.delete(key.keyId);
        return Promise.resolve('done');
      },
      undefined,
      2,
    );
    assert.deepEqual(handled, [...stuck, ...healthy], 'each key once, in due order');
    assert.deepEqual(report.done, healthy);
    assert.deepEqual(report.skipped, ['s2', 's3']);
    assert.deepEqual(
      report.failures.map(({ keyId }) => keyId),
      ['s0', 's1'],
    );
  });

  void it('stops between two keys once the signal aborts', async () => {
    const { due, list } = dueList(['a', 'b', 'c']);
    const stopping = new AbortController();
    const report = await drainDueKeys(
      list,
      (key) => {
        due.delete(key.keyId);
        if (key.keyId === 'a') stopping.abort();
        return Promise.resolve('done');
      },
      stopping.signal,
    );
    assert.deepEqual(report.done, ['a']);
    assert.deepEqual([...due], ['b', 'c']);
  });
});
