// The replay guard under a flood: its memory is bounded by maxEntries whatever is sent, it fails
// closed when full (new requests refused, no live nonce evicted), it holds every nonce for the
// whole 15-minute window, and only requests whose signature verified ever take room in it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ReplayGuard } from '../../../src/api/signature/replay-guard.js';
import { MAX_CLOCK_SKEW_MS } from '../../../src/api/signature/timestamp.js';
import { KmsError } from '../../../src/domain/errors.js';
import { loadCaptures, timestampMsOf, toSignedRequest } from './captures.js';
import { assertRefused, verify } from './helpers.js';

const T0 = Date.UTC(2026, 10, 28, 18, 0, 0);
const MINUTE_MS = 60_000;

function errorNameOf(action: () => void): string {
  try {
    action();
    return 'accepted';
  } catch (error) {
    assert.ok(error instanceof KmsError, String(error));
    return error.kind;
  }
}

describe('ReplayGuard under a flood', () => {
  it('100,000 distinct nonces against maxEntries 10,000: exactly 10,000 held, the rest refused, and no memory grows once full', () => {
    const maxEntries = 10_000;
    const guard = new ReplayGuard({ maxEntries });
    const before = process.memoryUsage().arrayBuffers;
    const outcomes = new Map<string, number>();
    let atFull = 0;
    for (let i = 0; i < 100_000; i += 1) {
      const name = errorNameOf(() => guard.recordNonce('flooder', `nonce-${i}`, T0, T0));
      outcomes.set(name, (outcomes.get(name) ?? 0) + 1);
      if (i === 20_000) atFull = process.memoryUsage().arrayBuffers;
    }
    const after = process.memoryUsage().arrayBuffers;
    assert.deepEqual(Object.fromEntries(outcomes), { accepted: maxEntries, Unavailable: 90_000 });
    assert.equal(guard.size, maxEntries);
    // 16-byte slots filled 60-80 %: about a quarter of a megabyte for 10,000 pairs, where holding all
    // 100,000 would take 2-3 MB; and nothing more after the guard filled up.
    const grownMb = (after - before) / 2 ** 20;
    assert.ok(grownMb < 1, `the tables grew by ${grownMb.toFixed(1)} MB`);
    // (A margin for the hash buffers the collector has not freed yet; 90,000 more pairs would need 2 MB.)
    assert.ok(after - atFull <= 512 * 1024, `memory grew by ${after - atFull} bytes after the guard was full`);
  });

  it('when full it fails closed: every held nonce is still refused as a replay, and room comes back only as nonces expire', () => {
    const guard = new ReplayGuard({ maxEntries: 10_000 });
    for (let i = 0; i < 10_000; i += 1) guard.recordNonce('k', `n${i}`, T0, T0);
    assert.equal(
      errorNameOf(() => guard.recordNonce('k', 'fresh', T0, T0 + MINUTE_MS)),
      'Unavailable',
    );
    for (let i = 0; i < 10_000; i += 997) {
      assert.equal(
        errorNameOf(() => guard.recordNonce('k', `n${i}`, T0, T0 + 14 * MINUTE_MS)),
        'NonceReused',
      );
    }
    // After the window (15 minutes of skew, 1 minute of clock-step allowance, one 10 s bucket):
    const later = T0 + MAX_CLOCK_SKEW_MS + MINUTE_MS + 20_000;
    assert.equal(
      errorNameOf(() => guard.recordNonce('k', 'fresh', later, later)),
      'accepted',
    );
    assert.equal(guard.size, 1);
  });

  it('sustained traffic holds about rate × 16 minutes of nonces, never more, and refuses each replay for its whole window', () => {
    const guard = new ReplayGuard();
    const perSecond = 10;
    let peak = 0;
    // One simulated hour at 10 requests a second, each replayed once 14m59s after it was sent.
    const pending: Array<{ nonce: string; at: number }> = [];
    for (let second = 0; second < 3600; second += 1) {
      const now = T0 + second * 1000;
      for (let n = 0; n < perSecond; n += 1) {
        const nonce = `${second}-${n}`;
        guard.recordNonce('steady', nonce, now, now);
        if (n === 0) pending.push({ nonce, at: now });
      }
      while (pending.length > 0 && pending[0]!.at + MAX_CLOCK_SKEW_MS - 1000 <= now) {
        const { nonce, at } = pending.shift()!;
        assert.equal(
          errorNameOf(() => guard.recordNonce('steady', nonce, at, now)),
          'NonceReused',
          `replay of ${nonce} at +${(now - at) / 1000} s`,
        );
      }
      peak = Math.max(peak, guard.size);
    }
    // A pair lives 15 min (skew) + 1 min (allowance) + up to 10 s (bucket): 970 s at most.
    assert.ok(peak <= perSecond * 971, `peak ${peak}`);
    assert.ok(peak >= perSecond * 900, `peak ${peak}: nonces were forgotten inside the window`);
  });

  it('requests whose signature does not verify take no room, however many are sent', async () => {
    const guard = new ReplayGuard({ maxEntries: 1 });
    const request = toSignedRequest(loadCaptures()[0]!);
    for (let i = 0; i < 500; i += 1) {
      await assertRefused(verify(request, { guard, lookup: () => Promise.resolve('not the secret') }), 'SignatureMismatch');
    }
    assert.equal(guard.size, 0);
    // The one slot is still free for the real request, and its replay is then refused.
    await verify(request, { guard, nowMs: timestampMsOf(request) });
    await assertRefused(verify(request, { guard }), 'NonceReused');
  });
});
