import { KmsError } from '../../domain/errors.js';
import { MAX_CLOCK_SKEW_MS } from './timestamp.js';

export const MAX_NONCE_LENGTH = 128;

export interface ReplayGuardOptions {
  /** Most (access key, nonce) pairs remembered at once; default 1,000,000. */
  readonly maxEntries?: number;
  /** How far the server clock may step back without reopening a replay; default 1 minute. */
  readonly clockStepBackAllowanceMs?: number;
  /** Granularity of expiry; entries are forgotten up to this much late; default 10 seconds. */
  readonly sweepGranularityMs?: number;
}

/**
 * Remembers every (access key id, nonce) pair of an accepted request for as long as that request
 * could be replayed, and refuses a pair it already holds with `SignatureNonceUsed`.
 *
 * How long a pair is kept: a request with timestamp `t` passes the skew check while the server
 * clock reads at most `t + skew`, so the pair is kept at least until then. Two additions:
 * - `max(t + skew, now)`: the guard does not rely on the caller having checked the skew against
 *   the same clock, so a pair is never born already expired;
 * - `+ clockStepBackAllowance`: if the system clock steps back (an NTP correction), a pair forgotten
 *   just before the step would become replayable again. Expiry is judged against the latest `now`
 *   seen, which never goes back, and the allowance covers steps up to its size.
 * So a pair lives at most `2 × skew + allowance + granularity` (about 31 minutes by default); a
 * request dated close to now keeps its pair about 16 minutes, so the default `maxEntries` sustains
 * roughly 1,000 accepted requests a second per process (Alibaba's own KMS quota).
 *
 * Memory is bounded by `maxEntries` (about 170 MB when the default is full of 64-hex nonces). When the guard is full of live pairs it refuses new requests
 * with `ServiceUnavailableTemporary` instead of evicting a live pair: eviction would let that
 * request be replayed. Expired pairs are dropped a time bucket at a time, so no request pays for
 * a scan of all entries.
 *
 * The skew is the verifier's own constant (not an option): a guard that forgot sooner than the
 * verifier stops accepting a timestamp would let a request be replayed. The memory is per process:
 * instances behind one load balancer do not share it.
 */
export class ReplayGuard {
  readonly #maxEntries: number;
  readonly #clockStepBackAllowanceMs: number;
  readonly #sweepGranularityMs: number;

  /** Pair key → expiry (ms since epoch): the pair is live while the latest now is ≤ expiry. */
  readonly #expiryByPair = new Map<string, number>();
  /** Bucket index → pair keys whose expiry falls in that bucket. */
  readonly #pairsByBucket = new Map<number, string[]>();
  /** The latest `now` seen; expiry is judged against it so a clock step back cannot resurrect. */
  #latestNowMs = Number.NEGATIVE_INFINITY;
  /** Buckets below this index have been swept. */
  #firstUnsweptBucket = Number.NEGATIVE_INFINITY;

  constructor(options: ReplayGuardOptions = {}) {
    this.#maxEntries = positiveInteger(options.maxEntries ?? 1_000_000, 'maxEntries');
    this.#clockStepBackAllowanceMs = nonNegativeInteger(options.clockStepBackAllowanceMs ?? 60_000, 'clockStepBackAllowanceMs');
    this.#sweepGranularityMs = positiveInteger(options.sweepGranularityMs ?? 10_000, 'sweepGranularityMs');
  }

  /** Pairs currently held, expired ones not yet swept included. */
  get size(): number {
    return this.#expiryByPair.size;
  }

  /**
   * Records the nonce of a request whose signature has been verified. Call it last, after every
   * other check, so an unauthenticated caller cannot use up someone's nonces.
   *
   * Refuses with `InvalidParameter` (SignatureNonce) for an empty nonce or one longer than 128
   * characters, `SignatureNonceUsed` if the pair is live, and `ServiceUnavailableTemporary` when
   * `maxEntries` live pairs are held already.
   */
  recordNonce(accessKeyId: string, nonce: string, timestampMs: number, nowMs: number): void {
    if (nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH) throw new KmsError('InvalidParameter', 'SignatureNonce');
    if (!Number.isFinite(timestampMs) || !Number.isFinite(nowMs)) throw new RangeError('timestamps must be finite');

    this.#advanceClock(nowMs);
    const pair = pairKey(accessKeyId, nonce);
    if (this.#isLive(pair)) throw new KmsError('SignatureNonceUsed');
    // Re-recording an expired pair that is not swept yet takes no new room.
    const needsRoom = !this.#expiryByPair.has(pair);
    if (needsRoom && this.#expiryByPair.size >= this.#maxEntries) throw new KmsError('ServiceUnavailableTemporary');
    this.#remember(pair, this.#expiryFor(timestampMs));
  }

  #expiryFor(timestampMs: number): number {
    return Math.max(timestampMs + MAX_CLOCK_SKEW_MS, this.#latestNowMs) + this.#clockStepBackAllowanceMs;
  }

  #isLive(pair: string): boolean {
    const expiry = this.#expiryByPair.get(pair);
    return expiry !== undefined && this.#latestNowMs <= expiry;
  }

  #remember(pair: string, expiryMs: number): void {
    this.#expiryByPair.set(pair, expiryMs);
    const bucket = this.#bucketOf(expiryMs);
    const pairs = this.#pairsByBucket.get(bucket);
    if (pairs === undefined) this.#pairsByBucket.set(bucket, [pair]);
    else pairs.push(pair);
  }

  #advanceClock(nowMs: number): void {
    this.#latestNowMs = Math.max(this.#latestNowMs, nowMs);
    // Bucket b holds expiries in [b·g, (b+1)·g); all of them have passed once now ≥ (b+1)·g.
    const firstLiveBucket = Math.floor(this.#latestNowMs / this.#sweepGranularityMs);
    if (firstLiveBucket <= this.#firstUnsweptBucket) return;
    this.#sweepBucketsBefore(firstLiveBucket);
    this.#firstUnsweptBucket = firstLiveBucket;
  }

  // Runs at most once per granularity step. It visits the bucket index (a few hundred buckets at
  // most, since expiries lie within about 31 minutes of now) and the pairs that expire, each pair
  // once, so the cost is amortised over the requests that recorded them. The one spike: pairs that
  // all expire together (a burst, then silence) are dropped by a single call, about 2 µs a pair.
  #sweepBucketsBefore(firstLiveBucket: number): void {
    for (const [bucket, pairs] of this.#pairsByBucket) {
      if (bucket >= firstLiveBucket) continue;
      for (const pair of pairs) this.#forgetIfExpired(pair);
      this.#pairsByBucket.delete(bucket);
    }
  }

  // An expired pair may have been recorded again with a new expiry in a later bucket; only the
  // expired record is dropped.
  #forgetIfExpired(pair: string): void {
    const expiry = this.#expiryByPair.get(pair);
    if (expiry !== undefined && expiry < this.#latestNowMs) this.#expiryByPair.delete(pair);
  }

  #bucketOf(expiryMs: number): number {
    return Math.floor(expiryMs / this.#sweepGranularityMs);
  }
}

// Length-prefixed, so no (access key id, nonce) pair can collide with another.
function pairKey(accessKeyId: string, nonce: string): string {
  return `${accessKeyId.length}:${accessKeyId}:${nonce}`;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  return value;
}
