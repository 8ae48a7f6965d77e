import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { alibabaErrorOf } from '../../src/api/alibaba-errors.js';
import { AccessKeyRateLimiter } from '../../src/api/rate-limiter.js';
import { KmsError } from '../../src/domain/errors.js';

const T0 = 1_800_000_000_000;

function admitted(limiter: AccessKeyRateLimiter, accessKeyId: string, count: number, nowMs: number): number {
  let ok = 0;
  for (let i = 0; i < count; i += 1) if (limiter.tryAdmit(accessKeyId, nowMs)) ok += 1;
  return ok;
}

describe('AccessKeyRateLimiter', () => {
  it('lets an idle key send its burst at once, then refuses until tokens are earned', () => {
    const limiter = new AccessKeyRateLimiter({ requestsPerSecond: 10, burst: 5 });
    assert.equal(admitted(limiter, 'k', 20, T0), 5);
    assert.equal(admitted(limiter, 'k', 20, T0 + 99), 0, 'less than one token earned in 99 ms at 10/s');
    assert.equal(admitted(limiter, 'k', 20, T0 + 100), 1);
    assert.equal(admitted(limiter, 'k', 20, T0 + 400), 3);
  });

  it('sustains exactly the configured rate over a long run', () => {
    const limiter = new AccessKeyRateLimiter({ requestsPerSecond: 50, burst: 1 });
    let ok = 0;
    // 100 attempts every 10 ms for 10 s.
    for (let ms = 0; ms < 10_000; ms += 10) ok += admitted(limiter, 'k', 100, T0 + ms);
    assert.ok(ok >= 499 && ok <= 501, `${ok} admitted in 10 s at 50/s`);
  });

  it('never holds more than the burst, however long the key was idle', () => {
    const limiter = new AccessKeyRateLimiter({ requestsPerSecond: 100, burst: 3 });
    assert.equal(admitted(limiter, 'k', 1, T0), 1);
    assert.equal(admitted(limiter, 'k', 10, T0 + 3_600_000), 3);
  });

  it('defaults the burst to one second of the rate, and to at least one request', () => {
    assert.equal(admitted(new AccessKeyRateLimiter({ requestsPerSecond: 7 }), 'k', 20, T0), 7);
    assert.equal(admitted(new AccessKeyRateLimiter({ requestsPerSecond: 0.5 }), 'k', 20, T0), 1);
  });

  it('keeps one bucket per access key: one key throttled leaves another untouched', () => {
    const limiter = new AccessKeyRateLimiter({ requestsPerSecond: 1, burst: 2 });
    assert.equal(admitted(limiter, 'busy', 10, T0), 2);
    assert.equal(admitted(limiter, 'quiet', 10, T0), 2);
  });

  it('a clock that steps back earns no tokens and costs none', () => {
    const limiter = new AccessKeyRateLimiter({ requestsPerSecond: 10, burst: 2 });
    assert.equal(admitted(limiter, 'k', 2, T0), 2);
    assert.equal(admitted(limiter, 'k', 5, T0 - 60_000), 0);
    assert.equal(admitted(limiter, 'k', 5, T0 + 100), 1, 'earning resumes from the latest time seen');
  });

  it('admit throws Rejected.Throttling with HTTP 429 when the bucket is empty', () => {
    const limiter = new AccessKeyRateLimiter({ requestsPerSecond: 1, burst: 1 });
    limiter.admit('k', T0);
    assert.throws(
      () => limiter.admit('k', T0),
      (error: unknown) =>
        error instanceof KmsError &&
        error.kind === 'Throttled' &&
        alibabaErrorOf(error).code === 'Rejected.Throttling' &&
        alibabaErrorOf(error).httpStatus === 429,
    );
  });

  it('tracks at most maxTrackedKeys keys, however many send requests', () => {
    const limiter = new AccessKeyRateLimiter({ requestsPerSecond: 1, burst: 1, maxTrackedKeys: 1000 });
    for (let i = 0; i < 50_000; i += 1) limiter.tryAdmit(`key-${i}`, T0 + i);
    assert.ok(limiter.trackedKeys <= 1000, `${limiter.trackedKeys} keys tracked`);
  });

  it('when full, forgets refilled buckets first, so a busy key stays throttled', () => {
    const limiter = new AccessKeyRateLimiter({ requestsPerSecond: 1, burst: 1, maxTrackedKeys: 3 });
    assert.equal(admitted(limiter, 'busy', 1, T0), 1);
    assert.equal(admitted(limiter, 'idle-1', 1, T0 - 5000), 1);
    assert.equal(admitted(limiter, 'idle-2', 1, T0 - 5000), 1);
    // At T0 + 10 the idle buckets (refilled long ago) go; the busy one, still empty, stays.
    assert.equal(admitted(limiter, 'newcomer', 1, T0 + 10), 1);
    assert.equal(admitted(limiter, 'busy', 1, T0 + 10), 0);
    assert.ok(limiter.trackedKeys <= 3);
  });

  it('refuses settings that make no sense', () => {
    assert.throws(() => new AccessKeyRateLimiter({ requestsPerSecond: 0 }), RangeError);
    assert.throws(() => new AccessKeyRateLimiter({ requestsPerSecond: Number.NaN }), RangeError);
    assert.throws(() => new AccessKeyRateLimiter({ requestsPerSecond: 1, burst: 0.5 }), RangeError);
    assert.throws(() => new AccessKeyRateLimiter({ requestsPerSecond: 1, maxTrackedKeys: 0 }), RangeError);
  });
});
