// The generic expiring set under the replay guard, on its own: hashes in, outcomes out, no nonces.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ExpiringHashSet,
  ExpiringHashSetLoadError,
  type ExpiringEntrySink,
  type ExpiringEntrySource,
  type InsertOutcome,
} from '../../../src/api/signature/expiring-hash-set.js';

const T0 = Date.UTC(2026, 10, 28, 14, 45, 25);
const SECOND_MS = 1000;

interface Entry {
  readonly high: number;
  readonly low: number;
  readonly expiryMs: number;
}

class ArraySink implements ExpiringEntrySink {
  readonly entries: Entry[] = [];

  add(high: number, low: number, expiryMs: number): void {
    this.entries.push({ high, low, expiryMs });
  }
}

class ArraySource implements ExpiringEntrySource {
  constructor(
    readonly entries: readonly Entry[],
    readonly check: (entry: Entry, index: number) => void = () => {},
  ) {}

  get entryCount(): number {
    return this.entries.length;
  }

  entryHigh(index: number): number {
    return this.#at(index).high;
  }

  entryLow(index: number): number {
    return this.#at(index).low;
  }

  entryExpiry(index: number): number {
    return this.#at(index).expiryMs;
  }

  checkEntry(index: number): void {
    this.check(this.#at(index), index);
  }

  #at(index: number): Entry {
    const entry = this.entries[index];
    assert.ok(entry !== undefined, `no entry ${index}`);
    return entry;
  }
}

/** A set whose clock is at T0 and whose buckets are one second wide. */
function setAtT0(maxEntries = 100): ExpiringHashSet {
  const set = new ExpiringHashSet({ maxEntries, sweepGranularityMs: SECOND_MS });
  set.advanceClock(T0);
  return set;
}

function exported(set: ExpiringHashSet, liveFromMs: number): Entry[] {
  const sink = new ArraySink();
  set.exportLive(liveFromMs, sink);
  return sink.entries.sort((a, b) => a.high - b.high || a.low - b.low);
}

/** Deterministic 32-bit values (mulberry32). */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

void describe('ExpiringHashSet: membership', () => {
  void it('adds a hash once, and finds it present while its expiry has not passed', () => {
    const set = setAtT0();
    assert.equal(set.insert(7, 9, T0 + 5 * SECOND_MS), 'added');
    assert.equal(set.insert(7, 9, T0 + 60 * SECOND_MS), 'present');
    assert.equal(set.insert(7, 10, T0 + 5 * SECOND_MS), 'added');
    assert.equal(set.insert(8, 9, T0 + 5 * SECOND_MS), 'added');
    set.advanceClock(T0 + 5 * SECOND_MS);
    assert.equal(set.insert(7, 9, T0 + 60 * SECOND_MS), 'present', 'live up to and including its expiry');
    assert.equal(set.size, 3);
  });

  void it('takes a hash again once its expiry has passed, without new room while its bucket is unswept', () => {
    const set = setAtT0(1);
    assert.equal(set.insert(1, 1, T0 + 5 * SECOND_MS + 100), 'added');
    set.advanceClock(T0 + 5 * SECOND_MS + 200); // expired; its bucket [T0+5 s, T0+6 s) is not swept
    assert.equal(set.size, 1);
    assert.equal(set.insert(2, 2, T0 + 60 * SECOND_MS), 'full');
    assert.equal(set.insert(1, 1, T0 + 60 * SECOND_MS), 'added', 'replaces its own expired entry');
    assert.equal(set.size, 1);
    assert.equal(set.insert(1, 1, T0 + 60 * SECOND_MS), 'present');
  });

  void it('treats the hash 0 as its neighbour 0:1, the one value the empty slot shadows', () => {
    const set = setAtT0();
    assert.equal(set.insert(0, 0, T0 + SECOND_MS), 'added');
    assert.equal(set.insert(0, 1, T0 + SECOND_MS), 'present');
    assert.deepEqual(exported(set, T0), [{ high: 0, low: 1, expiryMs: T0 + SECOND_MS }]);
  });

  void it('refuses sizes that are not positive integers', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new ExpiringHashSet({ maxEntries: bad, sweepGranularityMs: SECOND_MS }), RangeError);
      assert.throws(() => new ExpiringHashSet({ maxEntries: 10, sweepGranularityMs: bad }), RangeError);
    }
  });
});

void describe('ExpiringHashSet: clock and sweep', () => {
  void it('drops a bucket from size only once the clock has passed the whole bucket', () => {
    const set = new ExpiringHashSet({ maxEntries: 10, sweepGranularityMs: 10 * SECOND_MS });
    set.advanceClock(T0);
    const bucketStartMs = Math.ceil((T0 + 20 * SECOND_MS) / (10 * SECOND_MS)) * 10 * SECOND_MS;
    set.insert(1, 1, bucketStartMs + 1000);
    set.insert(2, 2, bucketStartMs + 9000);
    set.advanceClock(bucketStartMs + 9999);
    assert.equal(set.size, 2, 'both expired, neither bucket-swept');
    set.advanceClock(bucketStartMs + 10_000);
    assert.equal(set.size, 0);
  });

  void it('never moves its clock back, so an earlier now cannot bring an entry back', () => {
    const set = setAtT0();
    set.insert(1, 1, T0 + SECOND_MS);
    set.advanceClock(T0 + 3 * SECOND_MS);
    set.advanceClock(T0);
    assert.equal(set.latestNowMs, T0 + 3 * SECOND_MS);
    assert.equal(set.size, 0);
    assert.equal(set.insert(1, 1, T0 + 10 * SECOND_MS), 'added');
  });

  void it('sweeps after a jump far past every bucket', () => {
    const set = setAtT0(1000);
    for (let i = 0; i < 500; i += 1) set.insert(i * 8_000_000, i, T0 + (i % 300) * SECOND_MS);
    set.advanceClock(T0 + 365 * 24 * 3600 * SECOND_MS);
    assert.equal(set.size, 0);
    assert.equal(set.insert(1, 1, set.latestNowMs + SECOND_MS), 'added');
  });
});

void describe('ExpiringHashSet: bound', () => {
  void it('when full refuses new hashes and keeps every live one, and room comes back as buckets are swept', () => {
    const set = setAtT0(3);
    assert.equal(set.insert(1, 1, T0 + SECOND_MS), 'added');
    assert.equal(set.insert(2, 2, T0 + 10 * SECOND_MS), 'added');
    assert.equal(set.insert(3, 3, T0 + 10 * SECOND_MS), 'added');
    assert.equal(set.insert(4, 4, T0 + 10 * SECOND_MS), 'full');
    assert.equal(set.size, 3);
    for (const hash of [1, 2, 3]) assert.equal(set.insert(hash, hash, T0 + 10 * SECOND_MS), 'present');
    set.advanceClock(T0 + 2 * SECOND_MS);
    assert.equal(set.insert(4, 4, T0 + 10 * SECOND_MS), 'added');
    assert.equal(set.insert(1, 1, T0 + 10 * SECOND_MS), 'full', 'a swept entry takes new room to come back');
  });
});

/** The plain model: a map of live-or-unswept entries, pruned as buckets are swept. */
class ModelSet {
  readonly #entries = new Map<string, number>();
  #latestNowMs = Number.NEGATIVE_INFINITY;
  #firstLiveBucket = Number.NEGATIVE_INFINITY;

  constructor(
    readonly maxEntries: number,
    readonly granularityMs: number,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  advanceClock(nowMs: number): void {
    this.#latestNowMs = Math.max(this.#latestNowMs, nowMs);
    const firstLiveBucket = Math.floor(this.#latestNowMs / this.granularityMs);
    if (firstLiveBucket === this.#firstLiveBucket) return;
    this.#firstLiveBucket = firstLiveBucket;
    for (const [key, expiryMs] of this.#entries) if (Math.floor(expiryMs / this.granularityMs) < firstLiveBucket) this.#entries.delete(key);
  }

  insert(high: number, low: number, expiryMs: number): InsertOutcome {
    const key = `${high}:${high === 0 && low === 0 ? 1 : low}`;
    const previousMs = this.#entries.get(key);
    if (previousMs !== undefined && this.#latestNowMs <= previousMs) return 'present';
    if (previousMs === undefined && this.#entries.size >= this.maxEntries) return 'full';
    this.#entries.set(key, expiryMs);
    return 'added';
  }

  live(fromMs: number): Entry[] {
    return [...this.#entries]
      .filter(([, expiryMs]) => expiryMs >= fromMs)
      .map(([key, expiryMs]) => {
        const [high, low] = key.split(':').map(Number);
        return { high: high!, low: low!, expiryMs };
      })
      .sort((a, b) => a.high - b.high || a.low - b.low);
  }
}

void describe('ExpiringHashSet: agrees with the plain model', () => {
  const configurations = [
    // Many shards, hashes spread: rebuilds in place, growth and shrinking.
    { seed: 1, maxEntries: 1_500, granularityMs: SECOND_MS, pool: 60_000, highs: 0 },
    // One shard and few distinct high halves: long probe sequences, slot reuse, the 0 hash.
    { seed: 2, maxEntries: 400, granularityMs: 7 * SECOND_MS, pool: 2_000, highs: 3 },
  ];
  for (const { seed, maxEntries, granularityMs, pool, highs } of configurations) {
    void it(`random traffic (seed ${seed}, maxEntries ${maxEntries}): same outcomes, sizes and exports`, () => {
      const random = randomSource(seed);
      const set = new ExpiringHashSet({ maxEntries, sweepGranularityMs: granularityMs });
      const model = new ModelSet(maxEntries, granularityMs);
      const outcomes = new Map<InsertOutcome, number>();
      let nowMs = T0;
      for (let operation = 0; operation < 60_000; operation += 1) {
        const move = random() / 2 ** 32;
        if (move < 0.2) nowMs += random() % 400;
        else if (move < 0.2005) nowMs += random() % (120 * SECOND_MS);
        else if (move < 0.202) nowMs -= random() % (30 * SECOND_MS);
        set.advanceClock(nowMs);
        model.advanceClock(nowMs);
        const id = random() % pool;
        const high = highs === 0 ? Math.imul(id, 0x9e3779b1) >>> 0 : id % highs;
        const low = highs === 0 ? Math.imul(id, 0x85ebca6b) >>> 0 : (Math.imul(id, 0x85ebca6b) >>> 0) % 1_000_000;
        const expiryMs = set.latestNowMs + (random() % (60 * SECOND_MS));
        const outcome = set.insert(high, low, expiryMs);
        assert.equal(outcome, model.insert(high, low, expiryMs), `operation ${operation}`);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        assert.equal(set.size, model.size, `size after operation ${operation}`);
      }
      assert.deepEqual(exported(set, set.latestNowMs), model.live(set.latestNowMs));
      assert.deepEqual([...outcomes.keys()].sort(), ['added', 'full', 'present'], 'every outcome was exercised');
    });
  }
});

void describe('ExpiringHashSet: export and load', () => {
  function filled(): ExpiringHashSet {
    const set = setAtT0(10_000);
    for (let i = 0; i < 5000; i += 1) set.insert(Math.imul(i + 1, 0x9e3779b1) >>> 0, i, T0 + (i % 120) * SECOND_MS);
    return set;
  }

  void it('exports exactly the entries live from the given time, each once', () => {
    const set = filled();
    const live = exported(set, T0 + 60 * SECOND_MS);
    const expected = Array.from({ length: 5000 }, (_, i) => i).filter((i) => i % 120 >= 60).length;
    assert.equal(live.length, expected);
    assert.ok(live.every((entry) => entry.expiryMs >= T0 + 60 * SECOND_MS));
    assert.equal(new Set(live.map((entry) => `${entry.high}:${entry.low}`)).size, live.length);
    assert.equal(exported(set, T0).length, 5000);
  });

  void it('loads into a new set what it exported: the same live entries, refused as present, expired ones skipped', () => {
    const old = filled();
    const entries = exported(old, T0);
    const restored = new ExpiringHashSet({ maxEntries: 10_000, sweepGranularityMs: SECOND_MS });
    restored.advanceClock(T0 + 60 * SECOND_MS);
    restored.load(new ArraySource(entries));
    const live = entries.filter((entry) => entry.expiryMs >= T0 + 60 * SECOND_MS);
    assert.equal(restored.size, live.length);
    assert.deepEqual(exported(restored, T0 + 60 * SECOND_MS), exported(old, T0 + 60 * SECOND_MS));
    for (const entry of live.slice(0, 200)) assert.equal(restored.insert(entry.high, entry.low, entry.expiryMs), 'present');
    const expired = entries.find((entry) => entry.expiryMs < T0 + 60 * SECOND_MS);
    assert.ok(expired !== undefined);
    assert.equal(restored.insert(expired.high, expired.low, T0 + 90 * SECOND_MS), 'added');
  });

  void it('refuses more live entries than maxEntries, and counts only the live ones against it', () => {
    const entries = exported(filled(), T0);
    const tooSmall = new ExpiringHashSet({ maxEntries: 4999, sweepGranularityMs: SECOND_MS });
    tooSmall.advanceClock(T0);
    assert.throws(
      () => tooSmall.load(new ArraySource(entries)),
      (error: unknown) =>
        error instanceof ExpiringHashSetLoadError && error.refusal.kind === 'over-capacity' && error.refusal.liveEntries === 5000,
    );
    const later = new ExpiringHashSet({ maxEntries: 100, sweepGranularityMs: SECOND_MS });
    later.advanceClock(T0 + 118 * SECOND_MS);
    later.load(new ArraySource(entries));
    assert.equal(later.size, exported(filled(), T0 + 118 * SECOND_MS).length);
  });

  void it('refuses a hash given twice, and passes on what checkEntry throws', () => {
    const repeated = [
      { high: 5, low: 6, expiryMs: T0 + SECOND_MS },
      { high: 7, low: 8, expiryMs: T0 + SECOND_MS },
      { high: 5, low: 6, expiryMs: T0 + 2 * SECOND_MS },
    ];
    assert.throws(
      () => setAtT0().load(new ArraySource(repeated)),
      (error: unknown) => error instanceof ExpiringHashSetLoadError && error.refusal.kind === 'repeated-entry' && error.refusal.index === 2,
    );
    const refused = new ArraySource(repeated, (_entry, index) => {
      if (index === 1) throw new TypeError('bad entry 1');
    });
    assert.throws(() => setAtT0().load(refused), /bad entry 1/);
  });

  void it('loads only into a set that has held nothing', () => {
    const set = setAtT0();
    set.insert(1, 1, T0 + SECOND_MS);
    set.advanceClock(T0 + 5 * SECOND_MS);
    assert.throws(() => set.load(new ArraySource([])), /held nothing/);
  });
});
