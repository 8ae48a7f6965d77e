/** Entries per shard when the set is full; sets the size of the one table a rebuild copies. */
const ENTRIES_PER_FULL_SHARD = 4096;
const MAX_SHARDS = 1 << 16;
const MIN_TABLE_SLOTS = 8;
/** A table whose slots are this full (live, expired and swept entries alike) is rebuilt. */
const MAX_LOAD = 0.8;
/** A rebuild keeps the table when the entries it keeps fill between these shares of it… */
const IN_PLACE_LOAD = 0.7;
const SHRINK_LOAD = 0.2;
/** …and otherwise moves them to a new table sized so that they fill this share of it. */
const LOAD_AFTER_REBUILD = 0.6;
const TWO_TO_32 = 2 ** 32;

/** The sizing of an `ExpiringHashSet`; both are fixed for its life. */
export interface ExpiringHashSetOptions {
  /** Most entries held at once; an insert beyond them is refused (`'full'`), nothing is evicted. */
  readonly maxEntries: number;
  /** Width of the expiry buckets: an expired entry is forgotten up to this much late. */
  readonly sweepGranularityMs: number;
}

/**
 * What `insert` did: `'added'` (the entry is now held), `'present'` (a live entry with that hash
 * is held already; nothing changed) or `'full'` (`maxEntries` entries are held; nothing changed).
 */
export type InsertOutcome = 'added' | 'present' | 'full';

/** Where `exportLive` writes the live entries, one call per entry, in no set order. */
export interface ExpiringEntrySink {
  add(high: number, low: number, expiryMs: number): void;
}

/** The entries `load` reads, by index: a hash as two 32-bit halves and an expiry in ms. */
export interface ExpiringEntrySource {
  readonly entryCount: number;
  entryHigh(index: number): number;
  entryLow(index: number): number;
  entryExpiry(index: number): number;
  /** Throws unless entry `index` is well formed; `load` calls it on every entry before using it. */
  checkEntry(index: number): void;
}

/** Why `load` refused a source whose entries were each well formed. */
export type LoadRefusal =
  | { readonly kind: 'over-capacity'; readonly liveEntries: number; readonly maxEntries: number }
  | { readonly kind: 'repeated-entry'; readonly index: number };

/** Thrown by `load`, which then leaves the set unusable: discard it. */
export class ExpiringHashSetLoadError extends Error {
  readonly refusal: LoadRefusal;

  constructor(refusal: LoadRefusal) {
    super(
      refusal.kind === 'over-capacity'
        ? `${refusal.liveEntries} live entries, more than maxEntries (${refusal.maxEntries})`
        : `entry ${refusal.index} repeats an earlier one`,
    );
    this.name = 'ExpiringHashSetLoadError';
    this.refusal = refusal;
  }
}

/**
 * A bounded set of 64-bit hashes, each held until its own expiry (ms, any finite number) against a
 * clock that only moves forward: `advanceClock` takes the latest `now` seen, so stepping a clock
 * back never brings an expired entry back to life. An entry is live while `latestNowMs ≤ expiry`.
 * The caller supplies well-mixed hashes (a keyed hash, say): the high half picks the shard and the
 * low half the home slot, so crafted hashes could crowd one table.
 *
 * Storage: each entry is 16 bytes in open-addressing tables (linear probing) over typed arrays, so
 * the entries are not JavaScript objects and the garbage collector never walks them. The high
 * half picks one of up to 65,536 shards (about `maxEntries / 4096`), each its own table, so a
 * lookup is one probe sequence in one table. Tables start at 8 slots and are rebuilt, one shard at
 * a time, when 80 % of their slots are used: the rebuild drops every entry whose bucket has been
 * swept, and keeps the table if the rest fill at most 70 % of it, else moves them to a new table
 * they fill 60 % of. An insert reuses the slot of a swept entry met on its probe sequence, so in a
 * steady state rebuilds are rare, and the costliest call rebuilds one shard, never the whole set.
 *
 * Expiry: each entry's expiry falls in a bucket of `sweepGranularityMs`; the set counts the held
 * entries per bucket, and when the clock passes a bucket its count is dropped from `size` at once:
 * that is the whole sweep, one counter per bucket. The slots of swept entries stay in their
 * tables, dead, until an insert reuses them or the table is rebuilt.
 *
 * The hash 0 (both halves 0) marks an empty slot, so it is stored as 1, its neighbour: the two
 * are one entry to this set.
 */
export class ExpiringHashSet {
  readonly #maxEntries: number;
  readonly #sweepGranularityMs: number;
  /**
   * One open-addressing table per shard, created on the shard's first entry, as two views of one
   * buffer of 16-byte slots: for slot i, `#words[shard][4i]` and `[4i + 1]` are the high and low
   * halves of the entry's hash (both 0: an empty slot) and `#expiries[shard][2i + 1]` its expiry
   * in ms. A slot once used is never emptied (an expired entry stays in the probe sequences of the
   * entries after it) except by a rebuild of the whole table.
   */
  readonly #words: (Uint32Array | undefined)[];
  readonly #expiries: (Float64Array | undefined)[];
  /** Per shard, slots not empty, whether their entry is live, expired or swept. */
  readonly #used: Uint32Array;
  /** Where a rebuild in place parks the entries it keeps: their hash halves, and their expiries. */
  #scratchWords = new Uint32Array(0);
  #scratchExpiries = new Float64Array(0);
  /** Bucket index → held entries whose expiry falls in that bucket (buckets not yet swept only). */
  readonly #heldByBucket = new Map<number, number>();
  /** Entries in buckets not yet swept: what `maxEntries` bounds. */
  #heldCount = 0;
  #latestNowMs = Number.NEGATIVE_INFINITY;
  /** Buckets below this index have been swept. */
  #firstUnsweptBucket = Number.NEGATIVE_INFINITY;

  constructor(options: ExpiringHashSetOptions) {
    this.#maxEntries = positiveInteger(options.maxEntries, 'maxEntries');
    this.#sweepGranularityMs = positiveInteger(options.sweepGranularityMs, 'sweepGranularityMs');
    const shards = shardCountFor(this.#maxEntries);
    this.#words = new Array<Uint32Array | undefined>(shards).fill(undefined);
    this.#expiries = new Array<Float64Array | undefined>(shards).fill(undefined);
    this.#used = new Uint32Array(shards);
  }

  get maxEntries(): number {
    return this.#maxEntries;
  }

  /** Entries currently held, expired ones not yet swept included. */
  get size(): number {
    return this.#heldCount;
  }

  /** The latest `now` given to `advanceClock`; -Infinity before the first. */
  get latestNowMs(): number {
    return this.#latestNowMs;
  }

  /** Moves the clock to `nowMs` unless it is there already or later, and sweeps the buckets passed. */
  advanceClock(nowMs: number): void {
    this.#latestNowMs = Math.max(this.#latestNowMs, nowMs);
    // Bucket b holds expiries in [b·g, (b+1)·g); all of them have passed once now ≥ (b+1)·g.
    const firstLiveBucket = Math.floor(this.#latestNowMs / this.#sweepGranularityMs);
    if (firstLiveBucket <= this.#firstUnsweptBucket) return;
    this.#sweepBucketsBefore(firstLiveBucket);
    this.#firstUnsweptBucket = firstLiveBucket;
  }

  /**
   * Holds the hash `high`:`lowHalf` until `expiryMs`, unless it is live already (`'present'`) or the
   * set is full (`'full'`). An expired entry with that hash is replaced; if it was not swept yet,
   * the replacement takes no new room.
   */
  insert(high: number, lowHalf: number, expiryMs: number): InsertOutcome {
    const low = storedLow(high, lowHalf);
    const latestNowMs = this.#latestNowMs;
    const shard = shardOf(high, this.#used.length);
    let words = this.#words[shard];
    if (words === undefined) words = this.#newTable(shard, MIN_TABLE_SLOTS);
    else if (this.#used[shard]! >= loadLimit(words.length >>> 2)) words = this.#rebuild(shard, words);
    const expiries = this.#expiries[shard]!;
    const slots = words.length >>> 2;

    // Linear probing from the home slot to the first empty slot; an empty slot always exists
    // (MAX_LOAD < 1). Slots of swept entries on the way do not end the sequence, but the first of
    // them can take the new entry once the hash is known to be absent.
    let slot = homeSlot(low, slots);
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
      if (latestNowMs <= previousExpiryMs) return 'present';
      if (this.#isHeld(previousExpiryMs)) this.#forgetHeld(previousExpiryMs);
      else if (this.#heldCount >= this.#maxEntries) return 'full';
      expiries[2 * slot + 1] = expiryMs;
      this.#addHeld(expiryMs);
      return 'added';
    }

    if (this.#heldCount >= this.#maxEntries) return 'full';
    if (reusable >= 0) slot = reusable;
    else this.#used[shard] = this.#used[shard]! + 1;
    words[4 * slot] = high;
    words[4 * slot + 1] = low;
    expiries[2 * slot + 1] = expiryMs;
    this.#addHeld(expiryMs);
    return 'added';
  }

  /**
   * Writes to `sink` every entry whose expiry is at or after `liveFromMs`. With `liveFromMs` at or
   * after `latestNowMs`, those are all held, so `size` bounds their number.
   */
  exportLive(liveFromMs: number, sink: ExpiringEntrySink): void {
    for (let shard = 0; shard < this.#words.length; shard += 1) {
      const words = this.#words[shard];
      if (words === undefined) continue;
      const expiries = this.#expiries[shard]!;
      const slots = words.length >>> 2;
      for (let slot = 0; slot < slots; slot += 1) {
        const high = words[4 * slot]!;
        const low = words[4 * slot + 1]!;
        const expiryMs = expiries[2 * slot + 1]!;
        if ((high !== 0 || low !== 0) && expiryMs >= liveFromMs) sink.add(high, low, expiryMs);
      }
    }
  }

  /**
   * Fills a set that has held nothing yet, whose clock is set, with the entries of `source` live
   * at that clock (the others are skipped). Each shard's table is made once, sized as a rebuild
   * would size it, so loading costs one pass to check and count, one to insert.
   *
   * Throws whatever `source.checkEntry` throws, and `ExpiringHashSetLoadError` when more entries
   * are live than `maxEntries` (dropping some is not this set's choice to make) or a hash repeats.
   */
  load(source: ExpiringEntrySource): void {
    if (this.#words.some((table) => table !== undefined)) throw new Error('load fills only a set that has held nothing');
    const liveFromMs = this.#latestNowMs;
    const shards = this.#used.length;
    const perShard = new Uint32Array(shards);
    let live = 0;
    for (let index = 0; index < source.entryCount; index += 1) {
      source.checkEntry(index);
      if (source.entryExpiry(index) < liveFromMs) continue;
      const shard = shardOf(source.entryHigh(index), shards);
      perShard[shard] = perShard[shard]! + 1;
      live += 1;
    }
    if (live > this.#maxEntries)
      throw new ExpiringHashSetLoadError({ kind: 'over-capacity', liveEntries: live, maxEntries: this.#maxEntries });
    for (let shard = 0; shard < shards; shard += 1) {
      const entries = perShard[shard]!;
      if (entries > 0) this.#newTable(shard, Math.max(MIN_TABLE_SLOTS, Math.ceil((entries + 1) / LOAD_AFTER_REBUILD)));
    }
    for (let index = 0; index < source.entryCount; index += 1) {
      const expiryMs = source.entryExpiry(index);
      if (expiryMs < liveFromMs) continue;
      const high = source.entryHigh(index);
      const low = storedLow(high, source.entryLow(index));
      const shard = shardOf(high, shards);
      const words = this.#words[shard]!;
      const slots = words.length >>> 2;
      let slot = homeSlot(low, slots);
      while (words[4 * slot] !== 0 || words[4 * slot + 1] !== 0) {
        if (words[4 * slot] === high && words[4 * slot + 1] === low) throw new ExpiringHashSetLoadError({ kind: 'repeated-entry', index });
        slot = slot + 1 === slots ? 0 : slot + 1;
      }
      words[4 * slot] = high;
      words[4 * slot + 1] = low;
      this.#expiries[shard]![2 * slot + 1] = expiryMs;
      this.#used[shard] = this.#used[shard]! + 1;
      this.#addHeld(expiryMs);
    }
  }

  /** Whether an entry with this expiry is still counted: its bucket has not been swept. */
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

  // Runs at most once per granularity step and visits only the per-bucket counters, never the
  // entries: their slots are reclaimed by later inserts and rebuilds. It looks up the buckets the
  // clock passed, or walks all the counters (one per bucket with held entries, so few when
  // expiries lie within a bounded span of now) after a jump past more buckets than that.
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

  // Keeps the held entries of one full shard and drops the rest (entries of swept buckets, whose
  // slots no insert has reused). Held entries stay held, so the per-bucket counts do not change.
  // The kept entries are parked in a scratch area, then put back into the same table, emptied,
  // when they fill at most 70 % of it (the steady state: no allocation), else into a new table
  // they fill 60 % of. Either way the cost, a pass over one shard, is paid for by the 10 % or more
  // of its slots that inserts filled since its last rebuild.
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

/** The low half as stored: 0/0 marks an empty slot, so the one hash it would shadow becomes 0/1. */
function storedLow(high: number, low: number): number {
  return high === 0 && low === 0 ? 1 : low;
}

/** Once this many of a table's slots are used, it is rebuilt before the next insert. */
function loadLimit(slots: number): number {
  return Math.floor(slots * MAX_LOAD);
}

/** Where the probe sequence of a hash with this low half starts in a table of `slots` slots. */
function homeSlot(low: number, slots: number): number {
  return Math.floor((low * slots) / TWO_TO_32);
}

/** Puts an entry known to be absent in the first empty slot of its probe sequence. */
function insertAbsent(words: Uint32Array, expiries: Float64Array, high: number, low: number, expiryMs: number): void {
  const slots = words.length >>> 2;
  let slot = homeSlot(low, slots);
  while (words[4 * slot] !== 0 || words[4 * slot + 1] !== 0) slot = slot + 1 === slots ? 0 : slot + 1;
  words[4 * slot] = high;
  words[4 * slot + 1] = low;
  expiries[2 * slot + 1] = expiryMs;
}

/** The shard of an entry whose hash has these high 32 bits. */
function shardOf(high: number, shards: number): number {
  return Math.floor((high * shards) / TWO_TO_32);
}

/** About `maxEntries / 4096` shards, a power of two between 1 and 65,536. */
function shardCountFor(maxEntries: number): number {
  let shards = 1;
  while (shards < MAX_SHARDS && shards * ENTRIES_PER_FULL_SHARD < maxEntries) shards *= 2;
  return shards;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}
