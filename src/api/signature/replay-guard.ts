import { KmsError } from '../../domain/errors.js';
import { NonceHasher } from './nonce-hash.js';
import { ParsedSnapshot, SnapshotError, SnapshotWriter } from './replay-guard-snapshot.js';
import { MAX_CLOCK_SKEW_MS } from './timestamp.js';

export const MAX_NONCE_LENGTH = 128;

export interface ReplayGuardOptions {
  /**
   * Most (access key, nonce) pairs held at once; default 24,000,000: about 24,700 accepted
   * requests a second sustained, in about 0.65 GB when full (see the class comment).
   */
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
/** Pairs per shard when the guard is full; sets the size of the one table a rebuild copies. */
const PAIRS_PER_FULL_SHARD = 4096;
const MAX_SHARDS = 1 << 16;
const MIN_TABLE_SLOTS = 8;
/** A table whose slots are this full (live, expired and swept pairs alike) is rebuilt. */
const MAX_LOAD = 0.8;
/** A rebuild keeps the table when the pairs it keeps fill between these shares of it… */
const IN_PLACE_LOAD = 0.7;
const SHRINK_LOAD = 0.2;
/** …and otherwise moves them to a new table sized so that they fill this share of it. */
const LOAD_AFTER_REBUILD = 0.6;
const TWO_TO_32 = 2 ** 32;

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
 * request dated close to now keeps its pair about 16 minutes (15 + 1, plus up to 10 s until its
 * bucket is swept), so the default `maxEntries` sustains about 24 million / 970 s ≈ 24,700
 * accepted requests a second per process: the 20,000 a second this server is sized for (19.3
 * million pairs held) with a quarter to spare for clients whose clocks run ahead, whose pairs are
 * kept longer.
 *
 * Storage. A pair is held as its 64-bit keyed hash (keyed SHA-256 truncated to 64 bits, with a random per-guard key, which
 * a snapshot carries across a graceful restart; see `NonceHasher`) and its exact expiry in ms: 16
 * bytes, in open-addressing tables (linear probing) over typed arrays, so the entries are not
 * JavaScript objects and the garbage collector never walks them. The hash picks one of up to
 * 65,536 shards (about `maxEntries / 4096`; 8,192 by default), each its own table, so a lookup is
 * one probe sequence in one table. Tables start at 8 slots and are rebuilt, one shard at a time,
 * when 80 % of their slots are used: the rebuild drops every pair whose bucket has been swept, and
 * keeps the table if the rest fill at most 70 % of it (the steady state, no allocation) or else
 * moves them to a new table they fill 60 % of.
 * While traffic holds or grows, held pairs thus fill 60–80 % of the slots, 20–27 bytes a pair:
 * measured, 26.5 B a pair in tables with 19.3 million pairs held at 20,000 requests a second, 27 B
 * with 23 million at 24,000, and about 34 B of process RSS a pair (malloc's slack included), so a
 * full default guard takes about 0.65 GB of tables and 0.8 GB of RSS. The costliest single call
 * rebuilds one shard, a few thousand pairs (0.1–0.4 ms measured), never the whole guard. An insert
 * reuses the slot of a swept pair met on its probe sequence, so in the steady state a shard is
 * rebuilt only every few million requests.
 *
 * Expiry. Each pair's expiry falls in a bucket of `sweepGranularityMs`; the guard counts the held
 * pairs per bucket, and when the clock passes a bucket its count is dropped from `size` at once:
 * that is the whole sweep, a few hundred counters at most, once per granularity step. The slots of
 * swept pairs stay in their tables, dead, until an insert reuses them or the table is rebuilt.
 *
 * False positives. A pair is refused as used when a live pair has the same 64-bit hash. Keyed
 * SHA-256 is a pseudorandom function of a 128-bit key that no client ever sees (it leaves the process only in
 * the snapshot, a private file of the data directory) and whose outputs no client sees either, so
 * no one can choose nonces that collide or crowd a table: for a fresh pair the chance is at most
 * `live pairs / 2^64`, 1.3 × 10⁻¹² per request with 24 million live pairs, one wrongly refused
 * request in about 1.2 years of nonstop 20,000 requests a second at full capacity.
 * The error only ever goes that way: a replay hashes to the same value as the original, so it is
 * always found.
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
  readonly #maxEntries: number;
  readonly #clockStepBackAllowanceMs: number;
  readonly #sweepGranularityMs: number;
  readonly #rememberedSinceMs: number;

  /** Replaced, by `restore` only, with a hasher under the snapshot's key. */
  #hasher = new NonceHasher();
  /** The hash of the pair being recorded: [high 32 bits, low 32 bits]. */
  readonly #hash = new Uint32Array(2);
  /**
   * One open-addressing table per shard, created on the shard's first pair, as two views of one
   * buffer of 16-byte slots: for slot i, `#words[shard][4i]` and `[4i + 1]` are the high and low
   * halves of the pair's hash (both 0: an empty slot) and `#expiries[shard][2i + 1]` its expiry in
   * ms. A slot once used is never emptied (an expired pair stays in the probe sequences of the pairs
   * after it) except by a rebuild of the whole table.
   */
  readonly #words: (Uint32Array | undefined)[];
  readonly #expiries: (Float64Array | undefined)[];
  /** Per shard, slots not empty, whether their pair is live, expired or swept. */
  readonly #used: Uint32Array;
  /** Where a rebuild in place parks the pairs it keeps: their hash halves, and their expiries. */
  #scratchWords = new Uint32Array(0);
  #scratchExpiries = new Float64Array(0);
  /** Bucket index → held pairs whose expiry falls in that bucket (buckets not yet swept only). */
  readonly #heldByBucket = new Map<number, number>();
  /** Pairs in buckets not yet swept: what `maxEntries` bounds. */
  #heldCount = 0;
  /** The latest `now` seen; expiry is judged against it so a clock step back cannot resurrect. */
  #latestNowMs = Number.NEGATIVE_INFINITY;
  /** Buckets below this index have been swept. */
  #firstUnsweptBucket = Number.NEGATIVE_INFINITY;

  constructor(options: ReplayGuardOptions = {}) {
    this.#maxEntries = positiveInteger(options.maxEntries ?? DEFAULT_MAX_ENTRIES, 'maxEntries');
    this.#clockStepBackAllowanceMs = nonNegativeInteger(options.clockStepBackAllowanceMs ?? 60_000, 'clockStepBackAllowanceMs');
    this.#sweepGranularityMs = positiveInteger(options.sweepGranularityMs ?? 10_000, 'sweepGranularityMs');
    this.#rememberedSinceMs = options.rememberedSinceMs ?? Number.NEGATIVE_INFINITY;
    if (Number.isNaN(this.#rememberedSinceMs)) throw new RangeError('rememberedSinceMs must be a number');
    const shards = shardCountFor(this.#maxEntries);
    this.#words = new Array<Uint32Array | undefined>(shards).fill(undefined);
    this.#expiries = new Array<Float64Array | undefined>(shards).fill(undefined);
    this.#used = new Uint32Array(shards);
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
    guard.#advanceClock(Math.max(nowMs, parsed.exportedAtMs));
    guard.#load(parsed);
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
    const liveFromMs = Math.max(nowMs, this.#latestNowMs);
    // Every live pair is held (its bucket is at or after the clock's), so `size` bounds their number.
    const writer = new SnapshotWriter(this.#hasher.exportKey(), liveFromMs, this.#rememberedSinceMs, this.#heldCount);
    for (let shard = 0; shard < this.#words.length; shard += 1) {
      const words = this.#words[shard];
      if (words === undefined) continue;
      const expiries = this.#expiries[shard]!;
      const slots = words.length >>> 2;
      for (let slot = 0; slot < slots; slot += 1) {
        const high = words[4 * slot]!;
        const low = words[4 * slot + 1]!;
        const expiryMs = expiries[2 * slot + 1]!;
        if ((high !== 0 || low !== 0) && expiryMs >= liveFromMs) writer.add(high, low, expiryMs);
      }
    }
    return writer.finish();
  }

  /** Requests timestamped before this are refused as expired; -Infinity when there is no limit. */
  get rememberedSinceMs(): number {
    return this.#rememberedSinceMs;
  }

  /** Pairs currently held, expired ones not yet swept included. */
  get size(): number {
    return this.#heldCount;
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

    this.#advanceClock(nowMs);
    const expiryMs = this.#expiryFor(timestampMs);
    const latestNowMs = this.#latestNowMs;

    this.#hasher.hash(accessKeyId, nonce, this.#hash);
    const high = this.#hash[0]!;
    // 0/0 marks an empty slot; the one hash value it would shadow is folded onto its neighbour.
    const low = high === 0 && this.#hash[1] === 0 ? 1 : this.#hash[1]!;
    const shard = shardOf(high, this.#used.length);
    let words = this.#words[shard];
    if (words === undefined) words = this.#newTable(shard, MIN_TABLE_SLOTS);
    else if (this.#used[shard]! >= loadLimit(words.length >>> 2)) words = this.#rebuild(shard, words);
    const expiries = this.#expiries[shard]!;
    const slots = words.length >>> 2;

    // Linear probing from the home slot to the first empty slot; an empty slot always exists
    // (MAX_LOAD < 1). Slots of swept pairs on the way do not end the sequence, but the first of them
    // can take the new pair once the pair is known to be absent.
    let slot = Math.floor((low * slots) / TWO_TO_32);
    let reusable = -1;
    for (;;) {
      const slotHigh = words[4 * slot]!;
      const slotLow = words[4 * slot + 1]!;
      if (slotHigh === high && slotLow === low) break;
      if (slotHigh === 0 && slotLow === 0) break;
      if (reusable < 0 && expiries[2 * slot + 1]! < latestNowMs && !this.#isHeld(expiries[2 * slot + 1]!)) reusable = slot;
      slot = slot + 1 === slots ? 0 : slot + 1;
    }

    if (words[4 * slot + 1] === low && words[4 * slot] === high) {
      const previousExpiryMs = expiries[2 * slot + 1]!;
      if (latestNowMs <= previousExpiryMs) throw new KmsError('NonceReused');
      // Re-recording an expired pair that is not swept yet takes no new room.
      if (this.#isHeld(previousExpiryMs)) this.#forgetHeld(previousExpiryMs);
      else if (this.#heldCount >= this.#maxEntries) throw new KmsError('Unavailable');
      expiries[2 * slot + 1] = expiryMs;
      this.#addHeld(expiryMs);
      return;
    }

    if (this.#heldCount >= this.#maxEntries) throw new KmsError('Unavailable');
    if (reusable >= 0) slot = reusable;
    else this.#used[shard] = this.#used[shard]! + 1;
    words[4 * slot] = high;
    words[4 * slot + 1] = low;
    expiries[2 * slot + 1] = expiryMs;
    this.#addHeld(expiryMs);
  }

  // Fills a new guard, whose clock is set, with the snapshot's live pairs. Each shard's table is
  // made once, sized as a rebuild would size it (the pairs fill 60 % of it), so loading costs one
  // pass to count and check, one to insert.
  #load(parsed: ParsedSnapshot): void {
    const liveFromMs = this.#latestNowMs;
    const shards = this.#used.length;
    const perShard = new Uint32Array(shards);
    let live = 0;
    for (let index = 0; index < parsed.entryCount; index += 1) {
      parsed.checkEntry(index);
      if (parsed.entryExpiry(index) < liveFromMs) continue;
      const shard = shardOf(parsed.entryHigh(index), shards);
      perShard[shard] = perShard[shard]! + 1;
      live += 1;
    }
    if (live > this.#maxEntries) throw new SnapshotError(`${live} live pairs, more than this guard's maxEntries (${this.#maxEntries})`);
    for (let shard = 0; shard < shards; shard += 1) {
      const pairs = perShard[shard]!;
      if (pairs > 0) this.#newTable(shard, Math.max(MIN_TABLE_SLOTS, Math.ceil((pairs + 1) / LOAD_AFTER_REBUILD)));
    }
    for (let index = 0; index < parsed.entryCount; index += 1) {
      const expiryMs = parsed.entryExpiry(index);
      if (expiryMs < liveFromMs) continue;
      const high = parsed.entryHigh(index);
      const low = parsed.entryLow(index);
      const shard = shardOf(high, shards);
      const words = this.#words[shard]!;
      const slots = words.length >>> 2;
      let slot = Math.floor((low * slots) / TWO_TO_32);
      while (words[4 * slot] !== 0 || words[4 * slot + 1] !== 0) {
        if (words[4 * slot] === high && words[4 * slot + 1] === low) throw new SnapshotError(`entry ${index} repeats an earlier pair`);
        slot = slot + 1 === slots ? 0 : slot + 1;
      }
      words[4 * slot] = high;
      words[4 * slot + 1] = low;
      this.#expiries[shard]![2 * slot + 1] = expiryMs;
      this.#used[shard] = this.#used[shard]! + 1;
      this.#addHeld(expiryMs);
    }
  }

  #expiryFor(timestampMs: number): number {
    return Math.max(timestampMs + MAX_CLOCK_SKEW_MS, this.#latestNowMs) + this.#clockStepBackAllowanceMs;
  }

  /** Whether a pair with this expiry is still counted: its bucket has not been swept. */
  #isHeld(expiryMs: number): boolean {
    return this.#bucketOf(expiryMs) >= this.#firstUnsweptBucket;
  }

  #addHeld(expiryMs: number): void {
    const bucket = this.#bucketOf(expiryMs);
    this.#heldByBucket.set(bucket, (this.#heldByBucket.get(bucket) ?? 0) + 1);
    this.#heldCount += 1;
  }

  #forgetHeld(expiryMs: number): void {
    const bucket = this.#bucketOf(expiryMs);
    const count = this.#heldByBucket.get(bucket) ?? 0;
    if (count <= 1) this.#heldByBucket.delete(bucket);
    else this.#heldByBucket.set(bucket, count - 1);
    this.#heldCount -= 1;
  }

  #advanceClock(nowMs: number): void {
    this.#latestNowMs = Math.max(this.#latestNowMs, nowMs);
    // Bucket b holds expiries in [b·g, (b+1)·g); all of them have passed once now ≥ (b+1)·g.
    const firstLiveBucket = Math.floor(this.#latestNowMs / this.#sweepGranularityMs);
    if (firstLiveBucket <= this.#firstUnsweptBucket) return;
    this.#sweepBucketsBefore(firstLiveBucket);
    this.#firstUnsweptBucket = firstLiveBucket;
  }

  // Runs at most once per granularity step and visits only the per-bucket counters, never the
  // pairs: their slots are reclaimed by later inserts and rebuilds. It looks up the buckets the clock
  // passed, or walks all the counters (a few hundred at most, since expiries lie within about 31
  // minutes of now) after a jump past more buckets than that.
  #sweepBucketsBefore(firstLiveBucket: number): void {
    const heldByBucket = this.#heldByBucket;
    if (firstLiveBucket - this.#firstUnsweptBucket <= heldByBucket.size) {
      for (let bucket = this.#firstUnsweptBucket; bucket < firstLiveBucket; bucket += 1) {
        const count = heldByBucket.get(bucket);
        if (count === undefined) continue;
        this.#heldCount -= count;
        heldByBucket.delete(bucket);
      }
      return;
    }
    for (const [bucket, count] of heldByBucket) {
      if (bucket >= firstLiveBucket) continue;
      this.#heldCount -= count;
      heldByBucket.delete(bucket);
    }
  }

  #newTable(shard: number, slots: number): Uint32Array {
    const buffer = new ArrayBuffer(16 * slots);
    const words = new Uint32Array(buffer);
    this.#words[shard] = words;
    this.#expiries[shard] = new Float64Array(buffer);
    this.#used[shard] = 0;
    return words;
  }

  // Keeps the held pairs of one full shard and drops the rest (pairs of swept buckets, whose slots
  // no insert has reused). Held pairs stay held, so the per-bucket counts do not change. The kept
  // pairs are parked in a scratch area, then put back into the same table, emptied, when they fill
  // at most 70 % of it (the steady state: no allocation), else into a new table they fill 60 % of.
  // Either way the cost, a pass over one shard, is paid for by the 10 % or more of its slots that
  // inserts filled since its last rebuild.
  #rebuild(shard: number, words: Uint32Array): Uint32Array {
    const expiries = this.#expiries[shard]!;
    const slots = words.length >>> 2;
    if (this.#scratchExpiries.length < this.#used[shard]!) {
      this.#scratchWords = new Uint32Array(2 * slots);
      this.#scratchExpiries = new Float64Array(slots);
    }
    const scratchWords = this.#scratchWords;
    const scratchExpiries = this.#scratchExpiries;
    const granularityMs = this.#sweepGranularityMs;
    const firstUnsweptBucket = this.#firstUnsweptBucket;
    let kept = 0;
    for (let slot = 0; slot < slots; slot += 1) {
      const high = words[4 * slot]!;
      const low = words[4 * slot + 1]!;
      const expiryMs = expiries[2 * slot + 1]!;
      // Held: the bucket of its expiry is not swept (as #isHeld, inlined for this loop).
      if ((high !== 0 || low !== 0) && Math.floor(expiryMs / granularityMs) >= firstUnsweptBucket) {
        scratchWords[2 * kept] = high;
        scratchWords[2 * kept + 1] = low;
        scratchExpiries[kept] = expiryMs;
        kept += 1;
      }
    }
    const inPlace = kept + 1 <= IN_PLACE_LOAD * slots && (kept + 1 >= SHRINK_LOAD * slots || slots === MIN_TABLE_SLOTS);
    let table = words;
    if (inPlace) words.fill(0);
    else table = this.#newTable(shard, Math.max(MIN_TABLE_SLOTS, Math.ceil((kept + 1) / LOAD_AFTER_REBUILD)));
    const tableExpiries = this.#expiries[shard]!;
    for (let index = 0; index < kept; index += 1) {
      insertAbsent(table, tableExpiries, scratchWords[2 * index]!, scratchWords[2 * index + 1]!, scratchExpiries[index]!);
    }
    this.#used[shard] = kept;
    return table;
  }

  #bucketOf(expiryMs: number): number {
    return Math.floor(expiryMs / this.#sweepGranularityMs);
  }
}

/** Once this many of a table's slots are used, it is rebuilt before the next insert. */
function loadLimit(slots: number): number {
  return Math.floor(slots * MAX_LOAD);
}

/** Puts a pair known to be absent in the first empty slot of its probe sequence. */
function insertAbsent(words: Uint32Array, expiries: Float64Array, high: number, low: number, expiryMs: number): void {
  const slots = words.length >>> 2;
  let slot = Math.floor((low * slots) / TWO_TO_32);
  while (words[4 * slot] !== 0 || words[4 * slot + 1] !== 0) slot = slot + 1 === slots ? 0 : slot + 1;
  words[4 * slot] = high;
  words[4 * slot + 1] = low;
  expiries[2 * slot + 1] = expiryMs;
}

/** The shard of a pair whose hash has these high 32 bits. */
function shardOf(high: number, shards: number): number {
  return Math.floor((high * shards) / TWO_TO_32);
}

/** About `maxEntries / 4096` shards, a power of two between 1 and 65,536. */
function shardCountFor(maxEntries: number): number {
  let shards = 1;
  while (shards < MAX_SHARDS && shards * PAIRS_PER_FULL_SHARD < maxEntries) shards *= 2;
  return shards;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  return value;
}
