import { createHash } from 'node:crypto';

/**
 * The binary form of a `ReplayGuard` written at a graceful shutdown and read at the next start, so
 * the nonces of requests accepted before a restart stay refused after it.
 *
 * Format, version 1; every number little-endian:
 *
 * | offset      | bytes | field                                                                  |
 * |-------------|-------|------------------------------------------------------------------------|
 * | 0           | 8     | magic: ASCII `ARCARGS` and a 0 byte                                    |
 * | 8           | 4     | format version (uint32) = 1                                            |
 * | 12          | 4     | entry count n (uint32)                                                 |
 * | 16          | 8     | exported at: the guard's clock, ms since the epoch (float64, finite)   |
 * | 24          | 8     | remembered since: earliest timestamp vouched for (float64, or -∞)     |
 * | 32          | 16    | the key of the guard's `NonceHasher` (keyed SHA-256)                  |
 * | 48 + 16i    | 4     | entry i: high 32 bits of the pair's hash (uint32)                      |
 * | 52 + 16i    | 4     | entry i: low 32 bits of the pair's hash (uint32); never both 0         |
 * | 56 + 16i    | 8     | entry i: expiry, ms since the epoch (float64, finite, ≥ exported at)   |
 * | 48 + 16n    | 32    | SHA-256 of every byte before it                                        |
 *
 * Only live pairs are written (expiry at or after the export time), each once, in no set order.
 * The digest catches a torn or damaged file; it is no MAC: whoever can write the data directory can
 * replace the root key too. A snapshot that fails any check is refused whole (`SnapshotError`).
 */
export const SNAPSHOT_MAGIC: Buffer = Buffer.from('ARCARGS\0', 'latin1');
export const SNAPSHOT_VERSION = 1;
export const SNAPSHOT_HEADER_BYTES = 48;
export const SNAPSHOT_ENTRY_BYTES = 16;
export const SNAPSHOT_DIGEST_BYTES = 32;
const KEY_OFFSET = 32;
const KEY_BYTES = 16;
const MAX_ENTRY_COUNT = 0xffff_ffff;

/** A snapshot that is truncated, damaged, of another format, or that does not fit the guard. */
export class SnapshotError extends Error {
  constructor(message: string) {
    super(`replay guard snapshot: ${message}`);
    this.name = 'SnapshotError';
  }
}

/** Bytes a snapshot of `entries` pairs takes. */
export function snapshotBytes(entries: number): number {
  return SNAPSHOT_HEADER_BYTES + SNAPSHOT_ENTRY_BYTES * entries + SNAPSHOT_DIGEST_BYTES;
}

/** Builds a snapshot: the header first, then `add` per live pair, then `finish`. */
export class SnapshotWriter {
  readonly #buffer: Buffer;
  readonly #view: DataView;
  readonly #capacity: number;
  #count = 0;

  /** `capacity`: at most this many pairs will be added. */
  constructor(key: Uint8Array, exportedAtMs: number, rememberedSinceMs: number, capacity: number) {
    if (key.length !== KEY_BYTES) throw new RangeError('a nonce hash key is 16 bytes');
    if (!Number.isFinite(exportedAtMs)) throw new RangeError('exportedAtMs must be finite');
    if (!validRememberedSince(rememberedSinceMs)) throw new RangeError('rememberedSinceMs must be finite or -Infinity');
    if (!Number.isSafeInteger(capacity) || capacity < 0 || capacity > MAX_ENTRY_COUNT)
      throw new RangeError('too many pairs for a snapshot');
    this.#capacity = capacity;
    // Zero-filled, so the slack past the end of a snapshot with fewer pairs holds nothing.
    this.#buffer = Buffer.alloc(snapshotBytes(capacity));
    this.#view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, this.#buffer.byteLength);
    SNAPSHOT_MAGIC.copy(this.#buffer, 0);
    this.#view.setUint32(8, SNAPSHOT_VERSION, true);
    this.#view.setFloat64(16, exportedAtMs, true);
    this.#view.setFloat64(24, rememberedSinceMs, true);
    this.#buffer.set(key, KEY_OFFSET);
  }

  add(high: number, low: number, expiryMs: number): void {
    if (this.#count >= this.#capacity) throw new RangeError('more pairs than the snapshot was sized for');
    const offset = SNAPSHOT_HEADER_BYTES + SNAPSHOT_ENTRY_BYTES * this.#count;
    this.#view.setUint32(offset, high, true);
    this.#view.setUint32(offset + 4, low, true);
    this.#view.setFloat64(offset + 8, expiryMs, true);
    this.#count += 1;
  }

  /** The finished snapshot: the count and the digest written, exactly its own length. */
  finish(): Buffer {
    this.#view.setUint32(12, this.#count, true);
    const digestOffset = SNAPSHOT_HEADER_BYTES + SNAPSHOT_ENTRY_BYTES * this.#count;
    createHash('sha256').update(this.#buffer.subarray(0, digestOffset)).digest().copy(this.#buffer, digestOffset);
    const length = digestOffset + SNAPSHOT_DIGEST_BYTES;
    return length === this.#buffer.length ? this.#buffer : Buffer.from(this.#buffer.subarray(0, length));
  }
}

/**
 * A snapshot whose envelope has been checked: magic, version, exact length, digest, the header
 * fields. `entryHigh`, `entryLow` and `entryExpiry` read the pairs; `checkEntry` checks one pair's
 * own fields, which the reader of every pair must call.
 */
export class ParsedSnapshot {
  readonly key: Buffer;
  readonly exportedAtMs: number;
  readonly rememberedSinceMs: number;
  readonly entryCount: number;
  readonly #view: DataView;

  private constructor(key: Buffer, exportedAtMs: number, rememberedSinceMs: number, entryCount: number, view: DataView) {
    this.key = key;
    this.exportedAtMs = exportedAtMs;
    this.rememberedSinceMs = rememberedSinceMs;
    this.entryCount = entryCount;
    this.#view = view;
  }

  /** Checks the envelope of `bytes`; throws `SnapshotError` naming the first problem found. */
  static parse(bytes: Uint8Array): ParsedSnapshot {
    if (bytes.length < snapshotBytes(0))
      throw new SnapshotError(`truncated: ${bytes.length} bytes, shorter than an empty snapshot (${snapshotBytes(0)})`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!Buffer.from(bytes.buffer, bytes.byteOffset, SNAPSHOT_MAGIC.length).equals(SNAPSHOT_MAGIC))
      throw new SnapshotError('not a snapshot (bad magic)');
    const version = view.getUint32(8, true);
    if (version !== SNAPSHOT_VERSION)
      throw new SnapshotError(`unsupported format version ${version} (this server reads version ${SNAPSHOT_VERSION})`);
    const entryCount = view.getUint32(12, true);
    const expected = snapshotBytes(entryCount);
    if (bytes.length < expected)
      throw new SnapshotError(`truncated: ${bytes.length} bytes, ${expected} expected for ${entryCount} entries`);
    if (bytes.length > expected) throw new SnapshotError(`${bytes.length - expected} unexpected bytes after the digest`);
    const digestOffset = expected - SNAPSHOT_DIGEST_BYTES;
    const digest = createHash('sha256').update(bytes.subarray(0, digestOffset)).digest();
    if (!digest.equals(bytes.subarray(digestOffset))) throw new SnapshotError('damaged (the SHA-256 digest does not match)');
    const exportedAtMs = view.getFloat64(16, true);
    if (!Number.isFinite(exportedAtMs)) throw new SnapshotError('the export time is not a finite number');
    const rememberedSinceMs = view.getFloat64(24, true);
    if (!validRememberedSince(rememberedSinceMs)) throw new SnapshotError('the remembered-since time is neither finite nor -Infinity');
    const key = Buffer.from(bytes.subarray(KEY_OFFSET, KEY_OFFSET + KEY_BYTES));
    return new ParsedSnapshot(key, exportedAtMs, rememberedSinceMs, entryCount, view);
  }

  entryHigh(index: number): number {
    return this.#view.getUint32(SNAPSHOT_HEADER_BYTES + SNAPSHOT_ENTRY_BYTES * index, true);
  }

  entryLow(index: number): number {
    return this.#view.getUint32(SNAPSHOT_HEADER_BYTES + SNAPSHOT_ENTRY_BYTES * index + 4, true);
  }

  entryExpiry(index: number): number {
    return this.#view.getFloat64(SNAPSHOT_HEADER_BYTES + SNAPSHOT_ENTRY_BYTES * index + 8, true);
  }

  /** Throws `SnapshotError` unless entry `index` is one a guard could have written. */
  checkEntry(index: number): void {
    if (this.entryHigh(index) === 0 && this.entryLow(index) === 0) throw new SnapshotError(`entry ${index} has the reserved hash 0`);
    const expiryMs = this.entryExpiry(index);
    if (!Number.isFinite(expiryMs)) throw new SnapshotError(`entry ${index} has an expiry that is not a finite number`);
    if (expiryMs < this.exportedAtMs) throw new SnapshotError(`entry ${index} had expired when the snapshot was written`);
  }
}

function validRememberedSince(value: number): boolean {
  return Number.isFinite(value) || value === Number.NEGATIVE_INFINITY;
}
