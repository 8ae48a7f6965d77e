import { SecretBytes } from '../crypto/secret-bytes.js';
import type { ContextRecord, DataKey, DataKeySource, DecryptDataKeyRequest, GenerateDataKeyRequest } from './data-key-source.js';

/**
 * Bounds on how long and how much one cached data key is used, as in the AWS Encryption SDK's
 * caching materials manager. An entry is retired as soon as using it once more would pass any
 * bound.
 */
export interface DataKeyCacheLimits {
  /** Age after which an entry is never used again (required: a cache without it keeps keys forever). */
  readonly maxAgeMs: number;
  /** Envelopes one data key may encrypt; default 2^32. */
  readonly maxMessages?: number;
  /** Plaintext bytes one data key may encrypt, summed over its envelopes; default 2^53 - 1. */
  readonly maxBytes?: number;
  /** Entries kept at most (least recently used leave first); default 100. */
  readonly capacity?: number;
  /** The clock, for tests; default Date.now. */
  readonly now?: () => number;
}

interface EncryptionEntry {
  readonly dataKey: DataKey;
  readonly createdAtMs: number;
  messages: number;
  bytes: number;
}

interface DecryptionEntry {
  readonly plaintext: SecretBytes;
  readonly createdAtMs: number;
}

/**
 * Caches data keys in front of another source, so many small envelopes cost one KMS call.
 * Every caller gets its own copy of the key (callers wipe what they receive); the cached copy is
 * wiped when its entry is retired.
 *
 * Encryption only uses the cache when the request states its plaintext length (a stream of
 * unknown length could pass maxBytes); such requests go straight to the inner source.
 * Decryption caches the opened key under its blob and context, bounded by maxAgeMs.
 */
export class CachingDataKeySource implements DataKeySource {
  readonly #inner: DataKeySource;
  readonly #maxAgeMs: number;
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  readonly #capacity: number;
  readonly #now: () => number;
  readonly #encryption = new Map<string, EncryptionEntry>();
  readonly #decryption = new Map<string, DecryptionEntry>();

  constructor(inner: DataKeySource, limits: DataKeyCacheLimits) {
    // Precondition: every bound is a positive number, so a typo cannot disable one.
    requirePositive('maxAgeMs', limits.maxAgeMs);
    this.#inner = inner;
    this.#maxAgeMs = limits.maxAgeMs;
    this.#maxMessages = requirePositive('maxMessages', limits.maxMessages ?? 2 ** 32);
    this.#maxBytes = requirePositive('maxBytes', limits.maxBytes ?? Number.MAX_SAFE_INTEGER);
    this.#capacity = requirePositive('capacity', limits.capacity ?? 100);
    this.#now = limits.now ?? Date.now;
  }

  async generateDataKey(request: GenerateDataKeyRequest): Promise<DataKey> {
    const length = request.plaintextLengthInBytes;
    if (length === undefined || length > this.#maxBytes) return this.#inner.generateDataKey(request);
    const cacheKey = JSON.stringify([request.keyId, sortedEntries(request.context)]);
    const entry = this.#encryption.get(cacheKey);
    if (entry !== undefined && this.#usable(entry, length)) {
      entry.messages += 1;
      entry.bytes += length;
      touch(this.#encryption, cacheKey, entry);
      return copyOf(entry.dataKey);
    }
    if (entry !== undefined) this.#retireEncryption(cacheKey, entry);
    const fresh = await this.#inner.generateDataKey(request);
    const stored: EncryptionEntry = { dataKey: copyOf(fresh), createdAtMs: this.#now(), messages: 1, bytes: length };
    this.#encryption.set(cacheKey, stored);
    this.#evictBeyondCapacity(this.#encryption, (entryToWipe) => entryToWipe.dataKey.plaintext.wipe());
    return fresh;
  }

  async decryptDataKey(request: DecryptDataKeyRequest): Promise<SecretBytes> {
    const cacheKey = JSON.stringify([request.ciphertextBlob, sortedEntries(request.context)]);
    const entry = this.#decryption.get(cacheKey);
    if (entry !== undefined && this.#now() - entry.createdAtMs < this.#maxAgeMs) {
      touch(this.#decryption, cacheKey, entry);
      return SecretBytes.copyOf(entry.plaintext.unsafeReveal());
    }
    if (entry !== undefined) {
      this.#decryption.delete(cacheKey);
      entry.plaintext.wipe();
    }
    const plaintext = await this.#inner.decryptDataKey(request);
    this.#decryption.set(cacheKey, { plaintext: SecretBytes.copyOf(plaintext.unsafeReveal()), createdAtMs: this.#now() });
    this.#evictBeyondCapacity(this.#decryption, (entryToWipe) => entryToWipe.plaintext.wipe());
    return plaintext;
  }

  /** Wipes and forgets every cached key. */
  clear(): void {
    for (const entry of this.#encryption.values()) entry.dataKey.plaintext.wipe();
    for (const entry of this.#decryption.values()) entry.plaintext.wipe();
    this.#encryption.clear();
    this.#decryption.clear();
  }

  #usable(entry: EncryptionEntry, length: number): boolean {
    return (
      this.#now() - entry.createdAtMs < this.#maxAgeMs && entry.messages + 1 <= this.#maxMessages && entry.bytes + length <= this.#maxBytes
    );
  }

  #retireEncryption(cacheKey: string, entry: EncryptionEntry): void {
    this.#encryption.delete(cacheKey);
    entry.dataKey.plaintext.wipe();
  }

  #evictBeyondCapacity<Entry>(map: Map<string, Entry>, wipe: (entry: Entry) => void): void {
    for (const [cacheKey, entry] of map) {
      if (map.size <= this.#capacity) break;
      map.delete(cacheKey);
      wipe(entry);
    }
  }
}

function requirePositive(name: string, value: number): number {
  if (!(value > 0)) throw new RangeError(`${name} must be a positive number`);
  return value;
}

function sortedEntries(context: ContextRecord): Array<[string, string]> {
  return Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Moves an entry to the end of the map's order: most recently used. */
function touch<Entry>(map: Map<string, Entry>, cacheKey: string, entry: Entry): void {
  map.delete(cacheKey);
  map.set(cacheKey, entry);
}

function copyOf(dataKey: DataKey): DataKey {
  return { ...dataKey, plaintext: SecretBytes.copyOf(dataKey.plaintext.unsafeReveal()) };
}
