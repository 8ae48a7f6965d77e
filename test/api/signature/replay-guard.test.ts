import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MAX_NONCE_LENGTH, ReplayGuard } from '../../../src/api/signature/replay-guard.js';
import { MAX_CLOCK_SKEW_MS } from '../../../src/api/signature/timestamp.js';
import { KmsError, type ErrorName } from '../../../src/domain/errors.js';

const T0 = Date.UTC(2026, 10, 28, 14, 45, 25);
const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;

function assertRefused(action: () => void, errorName: ErrorName, messagePart?: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof KmsError, `expected a KmsError, got ${String(error)}`);
    assert.equal(error.errorName, errorName, error.message);
    if (messagePart !== undefined) assert.match(error.message, new RegExp(messagePart));
    return true;
  });
}

/** A guard with no clock-step allowance and one-second buckets, so expiry times are exact. */
function exactGuard(maxEntries?: number): ReplayGuard {
  return new ReplayGuard({ clockStepBackAllowanceMs: 0, sweepGranularityMs: SECOND_MS, ...(maxEntries === undefined ? {} : { maxEntries }) });
}

void describe('ReplayGuard: window', () => {
  void it('the first use of a nonce is accepted and the second refused with SignatureNonceUsed', () => {
    const guard = new ReplayGuard();
    guard.recordNonce('testid', 'n1', T0, T0);
    assertRefused(() => guard.recordNonce('testid', 'n1', T0, T0), 'SignatureNonceUsed');
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
      assertRefused(() => guard.recordNonce('testid', 'n1', T0, nowMs), 'SignatureNonceUsed');
    }
  });

  void it('a request dated 15 minutes in the future keeps its nonce until 30 minutes from now', () => {
    const guard = exactGuard();
    const futureTimestamp = T0 + MAX_CLOCK_SKEW_MS;
    guard.recordNonce('testid', 'n1', futureTimestamp, T0);
    assertRefused(() => guard.recordNonce('testid', 'n1', futureTimestamp, T0 + 2 * MAX_CLOCK_SKEW_MS), 'SignatureNonceUsed');
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
    assertRefused(() => guard.recordNonce('testid', 'n1', T0, T0 + MAX_CLOCK_SKEW_MS + 59 * SECOND_MS), 'SignatureNonceUsed');
  });

  void it('a clock that steps back within the allowance does not reopen a replay of a forgotten-looking pair', () => {
    const guard = new ReplayGuard({ clockStepBackAllowanceMs: MINUTE_MS, sweepGranularityMs: SECOND_MS });
    guard.recordNonce('testid', 'n1', T0, T0 + 10 * MINUTE_MS);
    // The clock runs past timestamp + 15 minutes, then an NTP correction sets it back 50 s.
    guard.recordNonce('testid', 'other', T0 + 15 * MINUTE_MS + 30 * SECOND_MS, T0 + 15 * MINUTE_MS + 30 * SECOND_MS);
    assertRefused(() => guard.recordNonce('testid', 'n1', T0, T0 + 14 * MINUTE_MS + 40 * SECOND_MS), 'SignatureNonceUsed');
  });

  void it('a request dated in the past is remembered at least until now, even if the caller skipped the skew check', () => {
    const guard = exactGuard();
    guard.recordNonce('testid', 'n1', T0 - 60 * MINUTE_MS, T0);
    assertRefused(() => guard.recordNonce('testid', 'n1', T0 - 60 * MINUTE_MS, T0), 'SignatureNonceUsed');
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
    assertRefused(() => guard.recordNonce('testid', 'young', T0 + 10 * MINUTE_MS, later), 'SignatureNonceUsed');
  });

  void it('a pair recorded again after expiry is not dropped when its old bucket is swept', () => {
    const guard = new ReplayGuard({ clockStepBackAllowanceMs: 0, sweepGranularityMs: MINUTE_MS });
    guard.recordNonce('testid', 'n1', T0, T0);
    // Expired, but its bucket (the minute holding T0 + 15 min) has not been swept yet.
    const justExpired = T0 + MAX_CLOCK_SKEW_MS + 1;
    guard.recordNonce('testid', 'n1', justExpired, justExpired);
    const nextMinute = justExpired + MINUTE_MS;
    guard.recordNonce('testid', 'other', nextMinute, nextMinute);
    assertRefused(() => guard.recordNonce('testid', 'n1', justExpired, nextMinute), 'SignatureNonceUsed');
  });
});

void describe('ReplayGuard: bound', () => {
  void it('when maxEntries live pairs are held, a new pair is refused with ServiceUnavailableTemporary', () => {
    const guard = exactGuard(3);
    for (const nonce of ['n1', 'n2', 'n3']) guard.recordNonce('testid', nonce, T0, T0);
    assertRefused(() => guard.recordNonce('testid', 'n4', T0, T0), 'ServiceUnavailableTemporary');
    assert.equal(guard.size, 3);
  });

  void it('a full guard forgets no live pair: a replay is still refused with SignatureNonceUsed', () => {
    const guard = exactGuard(3);
    for (const nonce of ['n1', 'n2', 'n3']) guard.recordNonce('testid', nonce, T0, T0);
    assertRefused(() => guard.recordNonce('testid', 'n4', T0, T0), 'ServiceUnavailableTemporary');
    for (const nonce of ['n1', 'n2', 'n3']) {
      assertRefused(() => guard.recordNonce('testid', nonce, T0, T0 + MINUTE_MS), 'SignatureNonceUsed');
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
      'InvalidParameter',
      '"SignatureNonce"',
    );
  });

  void it('an empty nonce is refused with InvalidParameter naming SignatureNonce', () => {
    assertRefused(() => new ReplayGuard().recordNonce('testid', '', T0, T0), 'InvalidParameter', '"SignatureNonce"');
  });

  void it('a refused nonce takes no room', () => {
    const guard = new ReplayGuard();
    assertRefused(() => guard.recordNonce('testid', 'n'.repeat(MAX_NONCE_LENGTH + 1), T0, T0), 'InvalidParameter');
    assert.equal(guard.size, 0);
  });
});
