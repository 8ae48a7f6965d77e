import { KmsError } from '../domain/errors.js';

export interface RateLimitOptions {
  /** Sustained requests a second each access key may send. */
  readonly requestsPerSecond: number;
  /** Requests an idle access key may send at once; default one second's worth (at least 1). */
  readonly burst?: number;
  /** Most access keys tracked at once; default 100,000 (about 10 MB at most). */
  readonly maxTrackedKeys?: number;
}

const DEFAULT_MAX_TRACKED_KEYS = 100_000;

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * A token bucket per access key id: each key earns `requestsPerSecond` tokens a second up to
 * `burst`, and a request spends one; a request that finds less than one token is refused with
 * `Rejected.Throttling` (429). The server asks only after the signature has been verified, so
 * only the owner of a key can spend its tokens: nobody can throttle another's key by sending
 * requests in its name.
 *
 * Memory is bounded by `maxTrackedKeys`. A bucket that has refilled to `burst` holds nothing a
 * new bucket would not, so when the map is full such buckets are dropped first; if every tracked
 * key is busy, the least recently used bucket goes (that key starts over with a full burst, a
 * bounded gift that only a server with more busy keys than `maxTrackedKeys` ever makes).
 */
export class AccessKeyRateLimiter {
  readonly #tokensPerMs: number;
  readonly #burst: number;
  readonly #maxTrackedKeys: number;
  /** In least-recently-used order: a key used again is moved to the end. */
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: RateLimitOptions) {
    if (!(Number.isFinite(options.requestsPerSecond) && options.requestsPerSecond > 0)) {
      throw new RangeError('requestsPerSecond must be a positive number');
    }
    const burst = options.burst ?? Math.max(1, options.requestsPerSecond);
    if (!(Number.isFinite(burst) && burst >= 1)) throw new RangeError('burst must be at least 1');
    const maxTrackedKeys = options.maxTrackedKeys ?? DEFAULT_MAX_TRACKED_KEYS;
    if (!Number.isSafeInteger(maxTrackedKeys) || maxTrackedKeys < 1) throw new RangeError('maxTrackedKeys must be a positive integer');
    this.#tokensPerMs = options.requestsPerSecond / 1000;
    this.#burst = burst;
    this.#maxTrackedKeys = maxTrackedKeys;
  }

  /** Access keys currently tracked. */
  get trackedKeys(): number {
    return this.#buckets.size;
  }

  /** Spends one token of `accessKeyId`, or throws `RejectedThrottling` when it has none. */
  admit(accessKeyId: string, nowMs: number): void {
    if (!this.tryAdmit(accessKeyId, nowMs)) throw new KmsError('Throttled');
  }

  /** Spends one token of `accessKeyId` and says whether there was one. */
  tryAdmit(accessKeyId: string, nowMs: number): boolean {
    let bucket = this.#buckets.get(accessKeyId);
    if (bucket === undefined) {
      this.#makeRoom(nowMs);
      bucket = { tokens: this.#burst, updatedMs: nowMs };
    } else {
      this.#buckets.delete(accessKeyId);
      bucket.tokens = this.#refilled(bucket, nowMs);
      // A clock that steps back earns nothing and costs nothing.
      bucket.updatedMs = Math.max(bucket.updatedMs, nowMs);
    }
    this.#buckets.set(accessKeyId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  #refilled(bucket: Bucket, nowMs: number): number {
    const elapsedMs = Math.max(0, nowMs - bucket.updatedMs);
    return Math.min(this.#burst, bucket.tokens + elapsedMs * this.#tokensPerMs);
  }

  // Called before a new key is tracked: drops full buckets, then the least recently used ones.
  #makeRoom(nowMs: number): void {
    if (this.#buckets.size < this.#maxTrackedKeys) return;
    for (const [accessKeyId, bucket] of this.#buckets) {
      if (this.#refilled(bucket, nowMs) >= this.#burst) this.#buckets.delete(accessKeyId);
    }
    for (const accessKeyId of this.#buckets.keys()) {
      if (this.#buckets.size < this.#maxTrackedKeys) break;
      this.#buckets.delete(accessKeyId);
    }
  }
}
