import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import { alibabaErrorOf } from '../../../src/api/alibaba-errors.js';
import { NonceHasher } from '../../../src/api/signature/nonce-hash.js';
import { MAX_NONCE_LENGTH, ReplayGuard } from '../../../src/api/signature/replay-guard.js';
import {
  SNAPSHOT_DIGEST_BYTES,
  SNAPSHOT_ENTRY_BYTES,
  SNAPSHOT_HEADER_BYTES,
  SnapshotError,
  snapshotBytes,
} from '../../../src/api/signature/replay-guard-snapshot.js';
import { MAX_CLOCK_SKEW_MS } from '../../../src/api/signature/timestamp.js';
import { KmsError, type ErrorKind } from '../../../src/domain/errors.js';

const T0 = Date.UTC(2026, 10, 28, 14, 45, 25);
const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;

function assertRefused(action: () => void, errorName: ErrorKind, messagePart?: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof KmsError, `expected a KmsError, got ${String(error)}`);
    assert.equal(error.kind, errorName, error.message);
    // The message as the Alibaba wire carries it (it names the parameter concerned, in quotes).
    if (messagePart !== undefined) assert.match(alibabaErrorOf(error).message, new RegExp(messagePart));
    return true;
  });
}

/** A guard with no clock-step allowance and one-second buckets, so expiry times are exact. */
function exactGuard(maxEntries?: number): ReplayGuard {
  return new ReplayGuard({
    clockStepBackAllowanceMs: 0,
    sweepGranularityMs: SECOND_MS,
    ...(maxEntries === undefined ? {} : { maxEntries }),
  });
}

void describe('ReplayGuard: window', () => {
  void it('the first use of a nonce is accepted and the second refused with SignatureNonceUsed', () => {
    const guard = new ReplayGuard();
    guard.recordNonce('testid', 'n1', T0, T0);
    assertRefused(() => guard.recordNonce('testid', 'n1', T0, T0), 'NonceReused');
  });

  void it('the same nonce under two access key ids is two different pairs', () => {
    const guard = new ReplayGuard();
    guard.recordNonce('testid', 'n1', T0, T0);
    guard.recordNonce('otherid', 'n1', T0, T0);
    assert.equal(guard.size, 2);
  });

  void it('pairs that would collide when naively concatenated stay distinct', () => {
    const guard = new ReplayGuard();
    guard.recordNonce('a:b', 'c', T0, T0);
    guard.recordNonce('a', 'b:c', T0, T0);
    assert.equal(guard.size, 2);
  });

  void it('a nonce is refused for as long as its timestamp passes the 15-minute skew check', () => {
    const guard = exactGuard();
    guard.recordNonce('testid', 'n1', T0, T0);
    for (const nowMs of [T0 + MINUTE_MS, T0 + 14 * MINUTE_MS, T0 + MAX_CLOCK_SKEW_MS]) {
      assertRefused(() => guard.recordNonce('testid', 'n1', T0, nowMs), 'NonceReused');
    }
  });

  void it('a request dated 15 minutes in the future keeps its nonce until 30 minutes from now', () => {
    const guard = exactGuard();
    const futureTimestamp = T0 + MAX_CLOCK_SKEW_MS;
    guard.recordNonce('testid', 'n1', futureTimestamp, T0);
    assertRefused(() => guard.recordNonce('testid', 'n1', futureTimestamp, T0 + 2 * MAX_CLOCK_SKEW_MS), 'NonceReused');
    guard.recordNonce('testid', 'n1', futureTimestamp, T0 + 2 * MAX_CLOCK_SKEW_MS + 1);
  });

  void it('once timestamp + 15 minutes has passed the pair is no longer live', () => {
    const guard = exactGuard();
    guard.recordNonce('testid', 'n1', T0, T0);
    guard.recordNonce('testid', 'n1', T0 + MAX_CLOCK_SKEW_MS + 1, T0 + MAX_CLOCK_SKEW_MS + 1);
  });

  void it('with the default allowance a nonce is kept one more minute after timestamp + 15 minutes', () => {
    const guard = new ReplayGuard();
    guard.recordNonce('testid', 'n1', T0, T0);
    assertRefused(() => guard.recordNonce('testid', 'n1', T0, T0 + MAX_CLOCK_SKEW_MS + 59 * SECOND_MS), 'NonceReused');
  });

  void it('a clock that steps back within the allowance does not reopen a replay of a forgotten-looking pair', () => {
    const guard = new ReplayGuard({ clockStepBackAllowanceMs: MINUTE_MS, sweepGranularityMs: SECOND_MS });
    guard.recordNonce('testid', 'n1', T0, T0 + 10 * MINUTE_MS);
    // The clock runs past timestamp + 15 minutes, then an NTP correction sets it back 50 s.
    guard.recordNonce('testid', 'other', T0 + 15 * MINUTE_MS + 30 * SECOND_MS, T0 + 15 * MINUTE_MS + 30 * SECOND_MS);
    assertRefused(() => guard.recordNonce('testid', 'n1', T0, T0 + 14 * MINUTE_MS + 40 * SECOND_MS), 'NonceReused');
  });

  void it('a request dated in the past is remembered at least until now, even if the caller skipped the skew check', () => {
    const guard = exactGuard();
    guard.recordNonce('testid', 'n1', T0 - 60 * MINUTE_MS, T0);
    assertRefused(() => guard.recordNonce('testid', 'n1', T0 - 60 * MINUTE_MS, T0), 'NonceReused');
  });
});

void describe('ReplayGuard: expiry sweep', () => {
  void it('expired pairs are dropped once time moves past their bucket', () => {
    const guard = exactGuard();
    for (let index = 0; index < 100; index += 1) guard.recordNonce('testid', `n${index}`, T0, T0);
    assert.equal(guard.size, 100);
    const later = T0 + MAX_CLOCK_SKEW_MS + 2 * SECOND_MS;
    guard.recordNonce('testid', 'fresh', later, later);
    assert.equal(guard.size, 1);
  });

  void it('live pairs survive a sweep of older buckets', () => {
    const guard = exactGuard();
    guard.recordNonce('testid', 'old', T0, T0);
    guard.recordNonce('testid', 'young', T0 + 10 * MINUTE_MS, T0 + 10 * MINUTE_MS);
    const later = T0 + MAX_CLOCK_SKEW_MS + 2 * SECOND_MS;
    guard.recordNonce('testid', 'fresh', later, later);
    assert.equal(guard.size, 2);
    assertRefused(() => guard.recordNonce('testid', 'young', T0 + 10 * MINUTE_MS, later), 'NonceReused');
  });

  void it('a pair recorded again after expiry is not dropped when its old bucket is swept', () => {
    const guard = new ReplayGuard({ clockStepBackAllowanceMs: 0, sweepGranularityMs: MINUTE_MS });
    guard.recordNonce('testid', 'n1', T0, T0);
    // Expired, but its bucket (the minute holding T0 + 15 min) has not been swept yet.
    const justExpired = T0 + MAX_CLOCK_SKEW_MS + 1;
    guard.recordNonce('testid', 'n1', justExpired, justExpired);
    const nextMinute = justExpired + MINUTE_MS;
    guard.recordNonce('testid', 'other', nextMinute, nextMinute);
    assertRefused(() => guard.recordNonce('testid', 'n1', justExpired, nextMinute), 'NonceReused');
  });
});

void describe('ReplayGuard: bound', () => {
  void it('when maxEntries live pairs are held, a new pair is refused with ServiceUnavailableTemporary', () => {
    const guard = exactGuard(3);
    for (const nonce of ['n1', 'n2', 'n3']) guard.recordNonce('testid', nonce, T0, T0);
    assertRefused(() => guard.recordNonce('testid', 'n4', T0, T0), 'Unavailable');
    assert.equal(guard.size, 3);
  });

  void it('a full guard forgets no live pair: a replay is still refused with SignatureNonceUsed', () => {
    const guard = exactGuard(3);
    for (const nonce of ['n1', 'n2', 'n3']) guard.recordNonce('testid', nonce, T0, T0);
    assertRefused(() => guard.recordNonce('testid', 'n4', T0, T0), 'Unavailable');
    for (const nonce of ['n1', 'n2', 'n3']) {
      assertRefused(() => guard.recordNonce('testid', nonce, T0, T0 + MINUTE_MS), 'NonceReused');
    }
  });

  void it('a full guard accepts new pairs again once the old ones expire', () => {
    const guard = exactGuard(3);
    for (const nonce of ['n1', 'n2', 'n3']) guard.recordNonce('testid', nonce, T0, T0);
    const later = T0 + MAX_CLOCK_SKEW_MS + 2 * SECOND_MS;
    guard.recordNonce('testid', 'n4', later, later);
    assert.equal(guard.size, 1);
  });

  void it('maxEntries must be a positive integer', () => {
    assert.throws(() => new ReplayGuard({ maxEntries: 0 }), RangeError);
    assert.throws(() => new ReplayGuard({ maxEntries: 1.5 }), RangeError);
  });
});

void describe('ReplayGuard: nonce length', () => {
  void it(`a nonce of ${MAX_NONCE_LENGTH} characters is accepted`, () => {
    new ReplayGuard().recordNonce('testid', 'n'.repeat(MAX_NONCE_LENGTH), T0, T0);
  });

  void it(`a nonce of ${MAX_NONCE_LENGTH + 1} characters is refused with InvalidParameter naming SignatureNonce`, () => {
    assertRefused(
      () => new ReplayGuard().recordNonce('testid', 'n'.repeat(MAX_NONCE_LENGTH + 1), T0, T0),
      'InvalidInput',
      '"SignatureNonce"',
    );
  });

  void it('an empty nonce is refused with InvalidParameter naming SignatureNonce', () => {
    assertRefused(() => new ReplayGuard().recordNonce('testid', '', T0, T0), 'InvalidInput', '"SignatureNonce"');
  });

  void it('a refused nonce takes no room', () => {
    const guard = new ReplayGuard();
    assertRefused(() => guard.recordNonce('testid', 'n'.repeat(MAX_NONCE_LENGTH + 1), T0, T0), 'InvalidInput');
    assert.equal(guard.size, 0);
  });
});

/** A 64-hex nonce, as the SDKs send, derived from a number so the tests are repeatable. */
function sdkNonce(seed: number | string): string {
  return createHash('sha256').update(String(seed)).digest('hex');
}

void describe('ReplayGuard: volume', () => {
  void it('200,000 distinct nonces at a fixed clock are all accepted, and a replay of any of them is refused', () => {
    const guard = new ReplayGuard();
    const count = 200_000;
    for (let index = 0; index < count; index += 1) guard.recordNonce('testid', sdkNonce(index), T0, T0);
    assert.equal(guard.size, count);
    for (let index = 0; index < count; index += 997) {
      assertRefused(() => guard.recordNonce('testid', sdkNonce(index), T0, T0), 'NonceReused');
    }
    assertRefused(() => guard.recordNonce('testid', sdkNonce(count - 1), T0, T0 + MINUTE_MS), 'NonceReused');
    // The same nonces under another access key id are other pairs.
    for (let index = 0; index < count; index += 9973) guard.recordNonce('otherid', sdkNonce(index), T0, T0);
    assert.equal(guard.size, count + Math.ceil(count / 9973));
  });

  void it('entries expire a bucket at a time as the clock advances, and their nonces may then be used again', () => {
    const bucketMs = 10 * SECOND_MS;
    const guard = new ReplayGuard({ clockStepBackAllowanceMs: 0, sweepGranularityMs: bucketMs });
    // Five batches of 1,000 nonces, one every 10 s, starting on a bucket boundary: batch b expires
    // at start + b·10 s + 15 min, in a bucket of its own.
    const start = Math.ceil(T0 / bucketMs) * bucketMs;
    const batches = 5;
    const perBatch = 1000;
    for (let batch = 0; batch < batches; batch += 1) {
      const at = start + batch * bucketMs;
      for (let index = 0; index < perBatch; index += 1) guard.recordNonce('testid', sdkNonce(`${batch}/${index}`), at, at);
    }
    assert.equal(guard.size, batches * perBatch);

    for (let batch = 0; batch < batches; batch += 1) {
      // Batch b has expired (now > its expiry) but its bucket is not over: still counted.
      const justAfterExpiry = start + batch * bucketMs + MAX_CLOCK_SKEW_MS + 1;
      guard.recordNonce('testid', `probe-${batch}-a`, justAfterExpiry, justAfterExpiry);
      // (Each earlier round left 4 live pairs behind: its two probes, a reused nonce and a filler.)
      assert.equal(guard.size, (batches - batch) * perBatch + 4 * batch + 1);
      // Once the clock leaves its bucket the whole batch is dropped at once.
      const nextBucket = start + (batch + 1) * bucketMs + MAX_CLOCK_SKEW_MS;
      guard.recordNonce('testid', `probe-${batch}-b`, nextBucket, nextBucket);
      assert.equal(guard.size, (batches - batch - 1) * perBatch + 4 * batch + 2);
      // Its nonces are accepted again (taking room again); the next batch's are still refused.
      guard.recordNonce('testid', sdkNonce(`${batch}/7`), nextBucket, nextBucket);
      if (batch + 1 < batches) {
        assertRefused(() => guard.recordNonce('testid', sdkNonce(`${batch + 1}/7`), nextBucket, nextBucket), 'NonceReused');
      }
      guard.recordNonce('testid', `filler-${batch}`, nextBucket, nextBucket);
    }
  });

  void it('the bound holds across several shards: a full guard refuses, keeps every live pair, and frees room as pairs expire', () => {
    const maxEntries = 10_000;
    const guard = exactGuard(maxEntries);
    for (let index = 0; index < maxEntries; index += 1) guard.recordNonce('testid', sdkNonce(index), T0, T0 + (index % 3));
    assert.equal(guard.size, maxEntries);
    assertRefused(() => guard.recordNonce('testid', sdkNonce('one more'), T0, T0 + 5), 'Unavailable');
    for (let index = 0; index < maxEntries; index += 101) {
      assertRefused(() => guard.recordNonce('testid', sdkNonce(index), T0, T0 + 5), 'NonceReused');
    }
    assert.equal(guard.size, maxEntries);
    const later = T0 + MAX_CLOCK_SKEW_MS + 2 * SECOND_MS;
    for (let index = 0; index < maxEntries; index += 1) guard.recordNonce('testid', sdkNonce(`later ${index}`), later, later);
    assert.equal(guard.size, maxEntries);
    assertRefused(() => guard.recordNonce('testid', sdkNonce('one more'), later, later), 'Unavailable');
  });
});

/**
 * The guard's contract written the plain way, as a map from pair to expiry: what the guard did
 * before its storage was packed into hash tables. Sizes count pairs until their bucket is swept.
 */
class ModelGuard {
  readonly #expiryByPair = new Map<string, number>();
  #latestNowMs = Number.NEGATIVE_INFINITY;
  #firstUnsweptBucket = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly maxEntries: number,
    private readonly allowanceMs: number,
    private readonly granularityMs: number,
  ) {}

  get size(): number {
    return this.#expiryByPair.size;
  }

  recordNonce(accessKeyId: string, nonce: string, timestampMs: number, nowMs: number): ErrorKind | 'accepted' {
    this.#latestNowMs = Math.max(this.#latestNowMs, nowMs);
    const firstLiveBucket = Math.floor(this.#latestNowMs / this.granularityMs);
    if (firstLiveBucket > this.#firstUnsweptBucket) {
      for (const [pair, expiry] of this.#expiryByPair) {
        if (Math.floor(expiry / this.granularityMs) < firstLiveBucket) this.#expiryByPair.delete(pair);
      }
      this.#firstUnsweptBucket = firstLiveBucket;
    }
    const pair = JSON.stringify([accessKeyId, nonce]);
    const expiry = this.#expiryByPair.get(pair);
    if (expiry !== undefined && this.#latestNowMs <= expiry) return 'NonceReused';
    if (expiry === undefined && this.#expiryByPair.size >= this.maxEntries) return 'Unavailable';
    this.#expiryByPair.set(pair, Math.max(timestampMs + MAX_CLOCK_SKEW_MS, this.#latestNowMs) + this.allowanceMs);
    return 'accepted';
  }
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

void describe('ReplayGuard: agrees with the plain model', () => {
  const configurations = [
    { seed: 1, maxEntries: 300, allowanceMs: 0, granularityMs: SECOND_MS, stepMs: 3 * SECOND_MS },
    { seed: 2, maxEntries: 5000, allowanceMs: MINUTE_MS, granularityMs: 10 * SECOND_MS, stepMs: SECOND_MS },
    { seed: 3, maxEntries: 40, allowanceMs: 0, granularityMs: MINUTE_MS, stepMs: 20 * SECOND_MS },
    { seed: 4, maxEntries: 2000, allowanceMs: 30 * SECOND_MS, granularityMs: 7 * SECOND_MS, stepMs: 10 * SECOND_MS },
  ];
  for (const { seed, maxEntries, allowanceMs, granularityMs, stepMs } of configurations) {
    void it(`random traffic (seed ${seed}, maxEntries ${maxEntries}, granularity ${granularityMs} ms): same answers and sizes`, () => {
      const random = randomSource(seed);
      const guard = new ReplayGuard({ maxEntries, clockStepBackAllowanceMs: allowanceMs, sweepGranularityMs: granularityMs });
      const model = new ModelGuard(maxEntries, allowanceMs, granularityMs);
      let nowMs = T0;
      let fresh = 0;
      for (let operation = 0; operation < 40_000; operation += 1) {
        // The clock mostly creeps forward, sometimes jumps a quarter of an hour, sometimes steps back.
        const move = random();
        if (move < 0.3) nowMs += Math.floor(random() * stepMs);
        else if (move < 0.301) nowMs += Math.floor(random() * 20 * MINUTE_MS);
        else if (move < 0.305) nowMs -= Math.floor(random() * 2 * MINUTE_MS);
        // Timestamps within the skew mostly, a few beyond it either way.
        const timestampMs = nowMs + Math.floor((random() * 2 - 1) * (random() < 0.98 ? MAX_CLOCK_SKEW_MS : 3 * MAX_CLOCK_SKEW_MS));
        // Half fresh nonces, half reused from a small recent pool (replays, and reuse after expiry).
        const nonce = random() < 0.5 ? sdkNonce(`fresh ${(fresh += 1)}`) : `pool ${Math.floor(random() * 3 * maxEntries)}`;
        const accessKeyId = random() < 0.9 ? 'testid' : 'otherid';
        const expected = model.recordNonce(accessKeyId, nonce, timestampMs, nowMs);
        let actual: ErrorKind | 'accepted' = 'accepted';
        try {
          guard.recordNonce(accessKeyId, nonce, timestampMs, nowMs);
        } catch (error) {
          assert.ok(error instanceof KmsError, String(error));
          actual = error.kind;
        }
        assert.equal(actual, expected, `operation ${operation}`);
        assert.equal(guard.size, model.size, `size after operation ${operation}`);
      }
    });
  }
});

function hashOf(hasher: NonceHasher, accessKeyId: string, nonce: string): bigint {
  const out = new Uint32Array(2);
  hasher.hash(accessKeyId, nonce, out);
  return (BigInt(out[0]!) << 32n) | BigInt(out[1]!);
}

void describe('NonceHasher', () => {
  const fixedKey = Uint8Array.from({ length: 16 }, (_, index) => index);

  void it('is the first 8 bytes of SHA-256(key ‖ decimal id length ‖ ":" ‖ UTF-16LE id and nonce)', () => {
    const expected = createHash('sha256').update(fixedKey).update(Buffer.from('6:testidn1', 'utf16le')).digest().readBigUInt64BE(0);
    assert.equal(hashOf(new NonceHasher(fixedKey), 'testid', 'n1'), expected);
  });

  void it('gives fixed values for fixed inputs (key 00…0f)', () => {
    const hasher = new NonceHasher(fixedKey);
    assert.equal(hashOf(hasher, 'testid', 'n1'), hashOf(new NonceHasher(fixedKey), 'testid', 'n1'));
    assert.notEqual(hashOf(hasher, 'testid', 'n1'), hashOf(hasher, 'testid', 'n2'));
  });

  void it('keeps apart pairs that concatenate alike and nonces that differ only in an ill-formed character', () => {
    const hasher = new NonceHasher(fixedKey);
    assert.notEqual(hashOf(hasher, 'a:b', 'c'), hashOf(hasher, 'a', 'b:c'));
    assert.notEqual(hashOf(hasher, 'ab', 'c'), hashOf(hasher, 'a', 'bc'));
    assert.notEqual(hashOf(hasher, 'testid', '\ud800'), hashOf(hasher, 'testid', '\ud801'));
    assert.notEqual(hashOf(hasher, 'testid', '\ud800'), hashOf(hasher, 'testid', '\ufffd'));
  });

  void it('draws a fresh key per instance unless given one', () => {
    assert.notEqual(hashOf(new NonceHasher(), 'testid', 'n1'), hashOf(new NonceHasher(), 'testid', 'n1'));
    assert.throws(() => new NonceHasher(new Uint8Array(8)), RangeError);
  });

  void it('exports the key it was given, and one that hashes alike when it drew its own', () => {
    assert.deepEqual(new NonceHasher(fixedKey).exportKey(), Buffer.from(fixedKey));
    const hasher = new NonceHasher();
    assert.equal(hashOf(new NonceHasher(hasher.exportKey()), 'testid', 'n1'), hashOf(hasher, 'testid', 'n1'));
  });
});

void describe('ReplayGuard remembers only since it was created', () => {
  const since = Date.UTC(2026, 10, 28, 12, 0, 0);

  void it('refuses a request timestamped before rememberedSinceMs as expired, without recording it', () => {
    const guard = new ReplayGuard({ rememberedSinceMs: since, maxEntries: 100 });
    assert.throws(
      () => guard.recordNonce('ak', 'n1', since - 1000, since + 5000),
      (error: unknown) => error instanceof KmsError && error.kind === 'RequestExpired',
    );
    assert.equal(guard.size, 0);
  });

  void it('accepts a request timestamped at or after rememberedSinceMs', () => {
    const guard = new ReplayGuard({ rememberedSinceMs: since, maxEntries: 100 });
    guard.recordNonce('ak', 'n1', since, since + 5000);
    assert.equal(guard.size, 1);
  });
});

/** Recomputes the trailing SHA-256, so a test can reach the checks behind the digest. */
function withDigest(snapshot: Buffer): Buffer {
  const copy = Buffer.from(snapshot);
  const digestOffset = copy.length - SNAPSHOT_DIGEST_BYTES;
  createHash('sha256').update(copy.subarray(0, digestOffset)).digest().copy(copy, digestOffset);
  return copy;
}

function assertCorrupt(snapshot: Uint8Array, message: RegExp, nowMs = T0): void {
  assert.throws(
    () => ReplayGuard.restore(snapshot, nowMs),
    (error: unknown) =>
      error instanceof SnapshotError && message.test(error.message) && error.message.startsWith('replay guard snapshot: '),
  );
}

void describe('ReplayGuard: snapshot across a restart', () => {
  void it('a restored guard refuses every live pair of the old one, drops the expired ones, and accepts new pairs', () => {
    const old = exactGuard();
    for (let index = 0; index < 50; index += 1) old.recordNonce('testid', `old-${index}`, T0 - 20 * MINUTE_MS, T0 - 10 * MINUTE_MS);
    for (let index = 0; index < 100; index += 1) old.recordNonce('testid', `live-${index}`, T0 - index * SECOND_MS, T0);
    old.recordNonce('other-id', 'live-0', T0, T0);
    old.recordNonce('testid', 'wide-\u20ac', T0 + 10 * MINUTE_MS, T0);
    const exportAt = T0 + MINUTE_MS;
    const snapshot = old.exportSnapshot(exportAt);
    // The 50 old pairs expired at T0 - 5 minutes: not written.
    assert.equal(snapshot.length, snapshotBytes(102));

    const restored = ReplayGuard.restore(snapshot, exportAt + SECOND_MS, { clockStepBackAllowanceMs: 0, sweepGranularityMs: SECOND_MS });
    assert.equal(restored.size, 102);
    for (let index = 0; index < 100; index += 1) {
      assertRefused(() => restored.recordNonce('testid', `live-${index}`, T0 - index * SECOND_MS, exportAt + 2 * SECOND_MS), 'NonceReused');
    }
    assertRefused(() => restored.recordNonce('other-id', 'live-0', T0, exportAt + 2 * SECOND_MS), 'NonceReused');
    assertRefused(() => restored.recordNonce('testid', 'wide-\u20ac', T0 + 10 * MINUTE_MS, exportAt + 2 * SECOND_MS), 'NonceReused');
    // Expired pairs are usable again (the skew check alone refuses their old requests).
    restored.recordNonce('testid', 'old-0', T0, exportAt + 2 * SECOND_MS);
    restored.recordNonce('testid', 'new', T0, exportAt + 2 * SECOND_MS);
    assert.equal(restored.size, 104);
    assert.equal(restored.rememberedSinceMs, Number.NEGATIVE_INFINITY);
  });

  void it('restored pairs keep their exact expiry: refused up to it, accepted after it', () => {
    const old = exactGuard();
    old.recordNonce('testid', 'n1', T0, T0);
    const restored = ReplayGuard.restore(old.exportSnapshot(T0 + MINUTE_MS), T0 + MINUTE_MS, {
      clockStepBackAllowanceMs: 0,
      sweepGranularityMs: SECOND_MS,
    });
    assertRefused(() => restored.recordNonce('testid', 'n1', T0, T0 + MAX_CLOCK_SKEW_MS), 'NonceReused');
    restored.recordNonce('testid', 'n1', T0 + MAX_CLOCK_SKEW_MS + 1, T0 + MAX_CLOCK_SKEW_MS + 1);
  });

  void it('pairs that expire between the export and the restore are left out', () => {
    const old = exactGuard();
    old.recordNonce('testid', 'soon', T0 - 10 * MINUTE_MS, T0);
    old.recordNonce('testid', 'later', T0, T0);
    const snapshot = old.exportSnapshot(T0);
    assert.equal(ReplayGuard.restore(snapshot, T0).size, 2);
    const restored = ReplayGuard.restore(snapshot, T0 + 6 * MINUTE_MS);
    assert.equal(restored.size, 1);
    assertRefused(() => restored.recordNonce('testid', 'later', T0, T0 + 6 * MINUTE_MS), 'NonceReused');
  });

  void it("the restored guard's clock does not go back past the export time", () => {
    const old = exactGuard();
    old.recordNonce('testid', 'n1', T0, T0);
    // The new process's clock reads 10 minutes earlier: the pair still expires at T0 + 15 minutes.
    const restored = ReplayGuard.restore(old.exportSnapshot(T0 + MINUTE_MS), T0 - 10 * MINUTE_MS, {
      clockStepBackAllowanceMs: 0,
      sweepGranularityMs: SECOND_MS,
    });
    assertRefused(() => restored.recordNonce('testid', 'n1', T0, T0 - 10 * MINUTE_MS), 'NonceReused');
    assertRefused(() => restored.recordNonce('testid', 'n1', T0, T0 + MAX_CLOCK_SKEW_MS), 'NonceReused');
  });

  void it('round trips many pairs over many shards, and a re-export of the restored guard holds the same pairs and key', () => {
    const old = new ReplayGuard({ maxEntries: 100_000 });
    for (let index = 0; index < 60_000; index += 1)
      old.recordNonce(`key-${index % 7}`, `nonce-${index}`, T0 + (index % 600) * SECOND_MS, T0 + MINUTE_MS);
    const snapshot = old.exportSnapshot(T0 + MINUTE_MS);
    const restored = ReplayGuard.restore(snapshot, T0 + MINUTE_MS, { maxEntries: 100_000 });
    assert.equal(restored.size, 60_000);
    for (let index = 0; index < 60_000; index += 997) {
      assertRefused(() => restored.recordNonce(`key-${index % 7}`, `nonce-${index}`, T0, T0 + 2 * MINUTE_MS), 'NonceReused');
    }
    const again = restored.exportSnapshot(T0 + MINUTE_MS);
    assert.equal(again.length, snapshot.length);
    // Same key (header bytes 32-47); the pairs may be in another order.
    assert.deepEqual(again.subarray(32, 48), snapshot.subarray(32, 48));
    const entries = (bytes: Buffer): string[] => {
      const list: string[] = [];
      for (let offset = SNAPSHOT_HEADER_BYTES; offset < bytes.length - SNAPSHOT_DIGEST_BYTES; offset += SNAPSHOT_ENTRY_BYTES) {
        list.push(bytes.subarray(offset, offset + SNAPSHOT_ENTRY_BYTES).toString('hex'));
      }
      return list.sort();
    };
    assert.deepEqual(entries(again), entries(snapshot));
  });

  void it('an empty guard round trips, and a fresh guard draws another key', () => {
    const empty = new ReplayGuard().exportSnapshot(T0);
    assert.equal(empty.length, snapshotBytes(0));
    const restored = ReplayGuard.restore(empty, T0);
    assert.equal(restored.size, 0);
    assert.deepEqual(restored.exportSnapshot(T0).subarray(32, 48), empty.subarray(32, 48));
    assert.notDeepEqual(new ReplayGuard().exportSnapshot(T0).subarray(32, 48), empty.subarray(32, 48));
  });

  void it('rememberedSinceMs travels with the snapshot, and the later of it and the option wins', () => {
    const since = T0 - MINUTE_MS;
    const old = new ReplayGuard({ rememberedSinceMs: since });
    old.recordNonce('testid', 'n1', T0, T0);
    const snapshot = old.exportSnapshot(T0);
    const restored = ReplayGuard.restore(snapshot, T0);
    assert.equal(restored.rememberedSinceMs, since);
    assertRefused(() => restored.recordNonce('testid', 'n2', since - SECOND_MS, T0), 'RequestExpired');
    restored.recordNonce('testid', 'n2', since, T0);
    assert.equal(ReplayGuard.restore(snapshot, T0, { rememberedSinceMs: T0 }).rememberedSinceMs, T0);
    assert.equal(ReplayGuard.restore(snapshot, T0, { rememberedSinceMs: since - MINUTE_MS }).rememberedSinceMs, since);
  });

  void it('a truncated snapshot is refused, at every length short of whole and with bytes added', () => {
    const guard = exactGuard();
    for (let index = 0; index < 3; index += 1) guard.recordNonce('testid', `n${index}`, T0, T0);
    const snapshot = guard.exportSnapshot(T0);
    assert.equal(snapshot.length, snapshotBytes(3));
    for (let length = 0; length < snapshot.length; length += 1) {
      assertCorrupt(snapshot.subarray(0, length), /truncated|damaged/);
    }
    assertCorrupt(Buffer.concat([snapshot, Buffer.alloc(1)]), /unexpected bytes/);
    assertCorrupt(Buffer.concat([snapshot, Buffer.alloc(16)]), /unexpected bytes/);
    assertCorrupt(Buffer.alloc(0), /truncated/);
  });

  void it('a snapshot with any one byte changed is refused', () => {
    const guard = exactGuard();
    for (let index = 0; index < 3; index += 1) guard.recordNonce('testid', `n${index}`, T0, T0);
    const snapshot = guard.exportSnapshot(T0);
    for (let offset = 0; offset < snapshot.length; offset += 1) {
      const damaged = Buffer.from(snapshot);
      damaged[offset] = damaged[offset]! ^ 0x01;
      assertCorrupt(damaged, /bad magic|version|truncated|unexpected bytes|damaged/);
    }
    // A byte offset inside a Buffer of another allocation is read right, and the original still loads.
    const shifted = Buffer.concat([Buffer.alloc(3), snapshot]).subarray(3);
    assert.equal(ReplayGuard.restore(shifted, T0).size, 3);
  });

  void it('a snapshot of another format version or magic is refused, by name', () => {
    const snapshot = exactGuard().exportSnapshot(T0);
    const otherVersion = Buffer.from(snapshot);
    otherVersion.writeUInt32LE(2, 8);
    assertCorrupt(withDigest(otherVersion), /unsupported format version 2/);
    assertCorrupt(withDigest(Buffer.concat([Buffer.from('SQLite f'), snapshot.subarray(8)])), /not a snapshot/);
  });

  void it('a snapshot with a sound digest but an entry no guard writes is refused whole', () => {
    const guard = exactGuard();
    guard.recordNonce('testid', 'n1', T0, T0);
    guard.recordNonce('testid', 'n2', T0, T0);
    const snapshot = guard.exportSnapshot(T0);
    const first = SNAPSHOT_HEADER_BYTES;
    const second = SNAPSHOT_HEADER_BYTES + SNAPSHOT_ENTRY_BYTES;

    const repeated = Buffer.from(snapshot);
    snapshot.copy(repeated, second, first, first + SNAPSHOT_ENTRY_BYTES);
    assertCorrupt(withDigest(repeated), /entry 1 repeats an earlier pair/);

    const zero = Buffer.from(snapshot);
    zero.fill(0, second, second + 8);
    assertCorrupt(withDigest(zero), /entry 1 has the reserved hash 0/);

    const expired = Buffer.from(snapshot);
    expired.writeDoubleLE(T0 - 1, second + 8);
    assertCorrupt(withDigest(expired), /entry 1 had expired/);

    const notANumber = Buffer.from(snapshot);
    notANumber.writeDoubleLE(Number.NaN, second + 8);
    assertCorrupt(withDigest(notANumber), /entry 1 has an expiry that is not a finite number/);

    const badClock = Buffer.from(snapshot);
    badClock.writeDoubleLE(Number.POSITIVE_INFINITY, 16);
    assertCorrupt(withDigest(badClock), /export time/);

    const badSince = Buffer.from(snapshot);
    badSince.writeDoubleLE(Number.NaN, 24);
    assertCorrupt(withDigest(badSince), /remembered-since/);

    const badCount = Buffer.from(snapshot);
    badCount.writeUInt32LE(1, 12);
    assertCorrupt(withDigest(badCount), /unexpected bytes/);
  });

  void it('restoring respects maxEntries: more live pairs than it allows are refused, as many are loaded and fill the guard', () => {
    const old = exactGuard();
    for (let index = 0; index < 10; index += 1) old.recordNonce('testid', `n${index}`, T0, T0);
    for (let index = 0; index < 5; index += 1) old.recordNonce('testid', `late${index}`, T0 + 5 * MINUTE_MS, T0);
    const snapshot = old.exportSnapshot(T0);

    assert.throws(
      () => ReplayGuard.restore(snapshot, T0, { maxEntries: 14 }),
      (error: unknown) => error instanceof SnapshotError && /15 live pairs, more than this guard's maxEntries \(14\)/.test(error.message),
    );

    const full = ReplayGuard.restore(snapshot, T0, { maxEntries: 15, clockStepBackAllowanceMs: 0, sweepGranularityMs: SECOND_MS });
    assert.equal(full.size, 15);
    assertRefused(() => full.recordNonce('testid', 'another', T0, T0), 'Unavailable');
    assertRefused(() => full.recordNonce('testid', 'n3', T0, T0), 'NonceReused');

    // Once the ten earlier pairs have expired, the five left fit in a guard of five.
    const later = T0 + MAX_CLOCK_SKEW_MS + SECOND_MS;
    const small = ReplayGuard.restore(snapshot, later, { maxEntries: 5, clockStepBackAllowanceMs: 0, sweepGranularityMs: SECOND_MS });
    assert.equal(small.size, 5);
    assertRefused(() => small.recordNonce('testid', 'late4', T0 + 5 * MINUTE_MS, later), 'NonceReused');
    assertRefused(() => small.recordNonce('testid', 'another', later, later), 'Unavailable');
  });

  void it('export and restore refuse a time that is not finite', () => {
    const guard = new ReplayGuard();
    assert.throws(() => guard.exportSnapshot(Number.NaN), RangeError);
    assert.throws(() => ReplayGuard.restore(guard.exportSnapshot(T0), Number.POSITIVE_INFINITY), RangeError);
  });
});
