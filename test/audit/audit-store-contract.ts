// The contract every AuditStore adapter passes (SQLite now; PostgreSQL runs the same suite).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AuditChainRecord, AuditCheckpoint, AuditStore } from '../../src/domain/ports.js';

export interface OpenedAuditStore {
  readonly store: AuditStore;
  /** Another handle on the same data, as another process would open it; the test closes it. */
  openAgain(): Promise<AuditStore>;
  cleanup(): Promise<void>;
}

const T0 = Date.UTC(2026, 5, 1);

function record(chainId: string, sequence: number, eventTime = T0 + sequence): AuditChainRecord {
  return {
    chainId,
    sequence,
    previousHash: sequence === 1 ? '0'.repeat(64) : `${sequence - 1}`.padStart(64, 'a'),
    hash: `${sequence}`.padStart(64, 'a'),
    eventTime,
    body: JSON.stringify({ n: sequence, text: 'é ✓ "quoted"' }),
  };
}

function checkpoint(chainId: string, sequence: number, kind: AuditCheckpoint['kind']): AuditCheckpoint {
  return {
    chainId,
    sequence,
    headHash: `${sequence}`.padStart(64, 'a'),
    time: T0,
    kind,
    keyId: '0011223344556677',
    signature: Buffer.alloc(64, 7),
  };
}

export function describeAuditStoreContract(name: string, open: () => Promise<OpenedAuditStore>): void {
  void describe(`AuditStore contract: ${name}`, () => {
    let opened: OpenedAuditStore;
    let store: AuditStore;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    it('keeps records byte for byte, in sequence order, and a resolved append is durable for another handle', async () => {
      await store.append([record('c1', 1), record('c1', 2)]);
      await store.append([record('c1', 3)]);
      const again = await opened.openAgain();
      try {
        assert.deepEqual(await again.readChain('c1', 0, 100), [record('c1', 1), record('c1', 2), record('c1', 3)]);
      } finally {
        await again.close();
      }
    });

    it('appends made in one turn keep the order they were called in', async () => {
      await Promise.all([1, 2, 3, 4, 5].map((sequence) => store.append([record('c1', sequence)])));
      assert.deepEqual(
        (await store.readChain('c1', 0, 100)).map((r) => r.sequence),
        [1, 2, 3, 4, 5],
      );
    });

    it('an append that cannot be stored (a sequence taken) stores none of its records, and its chain takes no more', async () => {
      await store.append([record('c1', 1)]);
      await assert.rejects(store.append([record('c1', 2), record('c1', 1)]));
      assert.deepEqual(
        (await store.readChain('c1', 0, 100)).map((r) => r.sequence),
        [1],
      );
      // The chain is abandoned: a record after the gap is refused, another chain goes on.
      await assert.rejects(store.append([record('c1', 3)]));
      await store.append([record('c2', 1)]);
      assert.deepEqual(
        (await store.readChain('c1', 0, 100)).map((r) => r.sequence),
        [1],
      );
    });

    it('reads a chain in pages after a sequence', async () => {
      await store.append([1, 2, 3, 4, 5].map((sequence) => record('c1', sequence)));
      assert.deepEqual(
        (await store.readChain('c1', 2, 2)).map((r) => r.sequence),
        [3, 4],
      );
      assert.deepEqual(await store.readChain('c1', 5, 2), []);
      assert.deepEqual(await store.readChain('other', 0, 2), []);
    });

    it('lists chains in the order their first record was stored', async () => {
      await store.append([record('zeta', 1)]);
      await store.append([record('alpha', 1)]);
      await store.appendCheckpoint(checkpoint('alpha', 1, 'interval'));
      await store.append([record('zeta', 2)]);
      await store.appendCheckpoint(checkpoint('zeta', 2, 'interval'));
      assert.deepEqual(await store.listChains(), ['zeta', 'alpha']);
    });

    it('reads by time, a half-open range, ordered by time, chain and sequence, paged with a cursor', async () => {
      await store.append([record('b', 1, T0 + 10), record('b', 2, T0 + 20), record('b', 3, T0 + 30)]);
      await store.append([record('a', 1, T0 + 20), record('a', 2, T0 + 40)]);
      const all = await store.readByTime({ since: T0 + 20, until: T0 + 40 }, 100);
      assert.deepEqual(
        all.map((r) => [r.chainId, r.sequence]),
        [
          ['a', 1],
          ['b', 2],
          ['b', 3],
        ],
      );
      const first = await store.readByTime({ since: T0, until: T0 + 100 }, 2);
      const second = await store.readByTime({ since: T0, until: T0 + 100 }, 2, first.at(-1));
      assert.deepEqual(
        [...first, ...second].map((r) => [r.chainId, r.sequence]),
        [
          ['b', 1],
          ['a', 1],
          ['b', 2],
          ['b', 3],
        ],
      );
    });

    it('keeps checkpoints, of one chain or of all, ordered by chain and sequence', async () => {
      await store.append([record('c1', 1), record('c1', 2)]);
      await store.appendCheckpoint(checkpoint('c1', 2, 'final'));
      await store.appendCheckpoint(checkpoint('c1', 1, 'interval'));
      await store.appendCheckpoint(checkpoint('c0', 1, 'interval'));
      assert.deepEqual(
        (await store.listCheckpoints('c1')).map((c) => [c.sequence, c.kind]),
        [
          [1, 'interval'],
          [2, 'final'],
        ],
      );
      assert.deepEqual(await store.listCheckpoints('c1').then((list) => list[1]), checkpoint('c1', 2, 'final'));
      assert.deepEqual(
        (await store.listCheckpoints()).map((c) => c.chainId),
        ['c0', 'c1', 'c1'],
      );
    });

    it('prune removes the records up to a retention checkpoint and keeps it; the chain is still listed', async () => {
      await store.append([1, 2, 3, 4].map((sequence) => record('c1', sequence)));
      await store.prune(checkpoint('c1', 2, 'retention'));
      assert.deepEqual(
        (await store.readChain('c1', 0, 100)).map((r) => r.sequence),
        [3, 4],
      );
      assert.deepEqual(
        (await store.listCheckpoints('c1')).map((c) => c.kind),
        ['retention'],
      );
      await store.prune(checkpoint('c1', 4, 'retention'));
      assert.deepEqual(await store.readChain('c1', 0, 100), []);
      assert.deepEqual(await store.listChains(), ['c1']);
    });
  });
}
