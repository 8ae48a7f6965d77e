import { KmsError } from '../../domain/errors.js';
import { ExpiringHashSet, ExpiringHashSetLoadError, type LoadRefusal } from './expiring-hash-set.js';
import { NonceHasher } from './nonce-hash.js';
import { ParsedSnapshot, SnapshotError, SnapshotWriter } from './replay-guard-snapshot.js';
import { MAX_CLOCK_SKEW_MS } from './timestamp.js';

export const MAX_NONCE_LENGTH = 128;

export interface ReplayGuardOptions {
  /** Most (access key, nonce) pairs held at once; default 24,000,000 (see the replay-guard sizing ADR). */
  readonly maxEntries?: number;
  /** How far the server clock may step back without reopening a replay; default 1 minute. */
  readonly clockStepBackAllowanceMs?: number;
  /** Granularity of expiry; entries are forgotten up to this much late; default 10 seconds. */
  readonly sweepGranularityMs?: number;
  /**
   * The earliest request timestamp this guard can vouch for: set when the nonces accepted by an
   * earlier process are lost (it stopped without writing a snapshot), so an older request might
   * be a replay. Such requests are refused with `InvalidTimeStamp.Expired`. A snapshot carries the
   * limit on to the guard restored from it. Default: no limit.
   */
  readonly rememberedSinceMs?: number;
}

const DEFAULT_MAX_ENTRIES = 24_000_000;

/**
 * Remembers every (access key id, nonce) pair of an accepted request for as long as that request
 * could be replayed, and refuses a pair it already holds with `SignatureNonceUsed`. Each pair is
 * held in an `ExpiringHashSet` as its 64-bit keyed hash (see `NonceHasher`) with its own expiry.
 * Sizing, measured memory and the lifetime arithmetic: see the replay-guard sizing ADR.
 *
 * How long a pair is kept: a request with timestamp `t` passes the skew check while the server
 * clock reads at most `t + skew`, so the pair is kept at least until then. Two additions:
 * - `max(t + skew, now)`: the guard does not rely on the caller having checked the skew against
 *   the same clock, so a pair is never born already expired;
 * - `+ clockStepBackAllowance`: if the system clock steps back (an NTP correction), a pair forgotten
 *   just before the step would become replayable again. Expiry is judged against the latest `now`
 *   seen, which never goes back, and the allowance covers steps up to its size.
 *
 * False positives. A pair is refused as used when a live pair has the same 64-bit hash. Keyed
 * SHA-256 is a pseudorandom function of a 128-bit key that no client ever sees (it leaves the process only in
 * the snapshot, a private file of the data directory) and whose outputs no client sees either, so
 * no one can choose nonces that collide or crowd a table: for a fresh pair the chance is at most
 * `live pairs / 2^64`. The error only ever goes that way: a replay hashes to the same value as the
 * original, so it is always found.
 *
 * Memory is bounded by `maxEntries`. When the guard is full of live pairs it refuses new requests
 * with `ServiceUnavailableTemporary` instead of evicting a live pair: eviction would let that
 * request be replayed.
 *
 * The skew is the verifier's own constant (not an option): a guard that forgot sooner than the
 * verifier stops accepting a timestamp would let a request be replayed. The memory is per process:
 * instances behind one load balancer do not share it.
 *
 * Restarts. `exportSnapshot` writes the pairs live at the given time, the hash key, that time and
 * `rememberedSinceMs` in the binary form of `replay-guard-snapshot.ts`; `ReplayGuard.restore` builds
 * from it a guard that refuses exactly the pairs the old one refused, each until its own expiry, so
 * a server that stops gracefully and starts again refuses a replay with `SignatureNonceUsed` as if
 * it had never stopped, and accepts every fresh request the skew check passes. When the previous
 * process left no snapshot (a crash), nothing can be restored: the caller then sets
 * `rememberedSinceMs` to the start, and requests signed earlier are refused with
 * `InvalidTimeStamp.Expired` (see `startServer`). Restoring keeps that limit, so a crash is not
 * forgotten by a graceful restart within the 15 minutes it matters.
 */
export class ReplayGuard {
  readonly #clockStepBackAllowanceMs: number;
  readonly #rememberedSinceMs: number;
  readonly #pairs: ExpiringHashSet;

  /** Replaced, by `restore` only, with a hasher under the snapshot's key. */
  #hasher = new NonceHasher();
  /** The hash of the pair being recorded: [high 32 bits, low 32 bits]. */
  readonly #hash = new Uint32Array(2);

  constructor(options: ReplayGuardOptions = {}) {
    const maxEntries = positiveInteger(options.maxEntries ?? DEFAULT_MAX_ENTRIES, 'maxEntries');
    this.#clockStepBackAllowanceMs = nonNegativeInteger(options.clockStepBackAllowanceMs ?? 60_000, 'clockStepBackAllowanceMs');
    const sweepGranularityMs = positiveInteger(options.sweepGranularityMs ?? 10_000, 'sweepGranularityMs');
    this.#rememberedSinceMs = options.rememberedSinceMs ?? Number.NEGATIVE_INFINITY;
    if (Number.isNaN(this.#rememberedSinceMs)) throw new RangeError('rememberedSinceMs must be a number');
    this.#pairs = new ExpiringHashSet({ maxEntries, sweepGranularityMs });
  }

  /**
   * A guard that refuses every pair `snapshot` (from `exportSnapshot`) holds until its expiry,
   * with the same hash key and at least the same `rememberedSinceMs`. Pairs that have expired by
   * `nowMs` are left out; `options` apply as to a new guard, and the guard's clock starts at the
   * later of `nowMs` and the snapshot's export time, as it never goes back.
   *
   * Throws `SnapshotError`, and builds nothing, when the snapshot is truncated, damaged, of
   * another format version, not one a guard could have written (a reserved hash, an expiry before
   * the export time, a pair twice), or holds more live pairs than `maxEntries`: dropping some
   * would let their requests be replayed.
   */
  static restore(snapshot: Uint8Array, nowMs: number, options: ReplayGuardOptions = {}): ReplayGuard {
    if (!Number.isFinite(nowMs)) throw new RangeError('timestamps must be finite');
    const parsed = ParsedSnapshot.parse(snapshot);
    const rememberedSinceMs = Math.max(options.rememberedSinceMs ?? Number.NEGATIVE_INFINITY, parsed.rememberedSinceMs);
    const guard = new ReplayGuard({ ...options, rememberedSinceMs });
    guard.#hasher = new NonceHasher(parsed.key);
    guard.#pairs.advanceClock(Math.max(nowMs, parsed.exportedAtMs));
    loadSnapshotPairs(guard.#pairs, parsed);
    return guard;
  }

  /**
   * The guard as a snapshot (format in `replay-guard-snapshot.ts`) for `ReplayGuard.restore`: the
   * pairs still live at `nowMs` (or at the latest `now` seen, if later), the hash key and
   * `rememberedSinceMs`. The key is in it, so keep it as private as the data directory. Call it
   * once no request can reach the guard any more: a pair recorded after it would be missing.
   */
  exportSnapshot(nowMs: number): Buffer {
    if (!Number.isFinite(nowMs)) throw new RangeError('timestamps must be finite');
    const liveFromMs = Math.max(nowMs, this.#pairs.latestNowMs);
    // Every live pair is held (its bucket is at or after the clock's), so `size` bounds their number.
    const writer = new SnapshotWriter(this.#hasher.exportKey(), liveFromMs, this.#rememberedSinceMs, this.#pairs.size);
    this.#pairs.exportLive(liveFromMs, writer);
    return writer.finish();
  }

  /** Requests timestamped before this are refused as expired; -Infinity when there is no limit. */
  get rememberedSinceMs(): number {
    return this.#rememberedSinceMs;
  }

  /** Pairs currently held, expired ones not yet swept included. */
  get size(): number {
    return this.#pairs.size;
  }

  /**
   * Records the nonce of a request whose signature has been verified. Call it last, after every
   * other check, so an unauthenticated caller cannot use up someone's nonces.
   *
   * Refuses with `InvalidParameter` (SignatureNonce) for an empty nonce or one longer than 128
   * characters, `InvalidTimeStamp.Expired` for a timestamp before `rememberedSinceMs`,
   * `SignatureNonceUsed` if the pair is live, and `ServiceUnavailableTemporary` when
   * `maxEntries` live pairs are held already.
   */
  recordNonce(accessKeyId: string, nonce: string, timestampMs: number, nowMs: number): void {
    if (nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH) throw new KmsError('InvalidInput', 'SignatureNonce');
    if (!Number.isFinite(timestampMs) || !Number.isFinite(nowMs)) throw new RangeError('timestamps must be finite');
    if (timestampMs < this.#rememberedSinceMs) throw new KmsError('RequestExpired');

    this.#pairs.advanceClock(nowMs);
    const expiryMs = this.#expiryFor(timestampMs);
    this.#hasher.hash(accessKeyId, nonce, this.#hash);
    const outcome = this.#pairs.insert(this.#hash[0]!, this.#hash[1]!, expiryMs);
    if (outcome === 'present') throw new KmsError('NonceReused');
    if (outcome === 'full') throw new KmsError('Unavailable');
  }

  #expiryFor(timestampMs: number): number {
    return Math.max(timestampMs + MAX_CLOCK_SKEW_MS, this.#pairs.latestNowMs) + this.#clockStepBackAllowanceMs;
  }
}

/** Fills a new guard's pairs from a snapshot, its refusals worded as snapshot problems. */
function loadSnapshotPairs(pairs: ExpiringHashSet, parsed: ParsedSnapshot): void {
  try {
    pairs.load(parsed);
  } catch (error) {
    if (error instanceof ExpiringHashSetLoadError) throw new SnapshotError(snapshotProblemOf(error.refusal));
    throw error;
  }
}

function snapshotProblemOf(refusal: LoadRefusal): string {
  return refusal.kind === 'over-capacity'
    ? `${refusal.liveEntries} live pairs, more than this guard's maxEntries (${refusal.maxEntries})`
    : `entry ${refusal.index} repeats an earlier pair`;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  return value;
}
