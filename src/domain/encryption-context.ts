import { KmsError } from './errors.js';
import { readFlatJsonObject } from './flat-json-object.js';

/**
 * An encryption context: string keys to string values, bound to a ciphertext as additional
 * authenticated data. Key order and JSON whitespace carry no meaning, so the context is reduced
 * to a canonical byte string before it reaches the AEAD.
 *
 * Canonical encoding, version 1 (all lengths unsigned 32-bit big-endian, strings UTF-8):
 *
 *   count(4) ‖ for each pair, sorted by the UTF-8 bytes of its key:
 *       keyLength(4) ‖ key ‖ valueLength(4) ‖ value
 *
 * Length prefixes make it unambiguous: {"ab":"c"} and {"a":"bc"} encode differently. The empty
 * context (absent, or `{}`) encodes as four zero bytes.
 */
export type EncryptionContext = ReadonlyMap<string, string>;

export const MAX_ENCRYPTION_CONTEXT_LENGTH = 8192;
export const EMPTY_CONTEXT: EncryptionContext = new Map();

/**
 * Parses the JSON form; `parameter` names the wire parameter in the error. A repeated key is
 * refused, not resolved: `JSON.parse` would keep the last value, so `{"a":"1","a":"2"}` would
 * open what `{"a":"2"}` sealed, and which of the two a caller meant is anyone's guess.
 */
export function parseEncryptionContextJson(json: string, parameter: string): EncryptionContext {
  const members = readFlatJsonObject(json);
  if (members === undefined) throw new KmsError('InvalidInput', parameter);
  return contextFromEntries(members, parameter);
}

/** A UTF-16 code unit of a surrogate that is not half of a pair: UTF-8 has no encoding for it. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Builds a context from pairs (the flattened `EncryptionContext.k=v` form arrives this way).
 * Every key and value must be a string of Unicode characters: a lone surrogate (from a `\ud800`
 * escape) has no UTF-8 form, and Buffer.from would write U+FFFD for it, so `{"k":"\ud800"}` and
 * `{"k":"\ufffd"}` would encode alike and open each other's blobs. A repeated key is refused.
 * The 8192-character limit is measured on the compact JSON form of the context, so both wire
 * forms, and JSON with or without whitespace, are held to the same limit.
 */
export function contextFromEntries(entries: ReadonlyArray<readonly [string, unknown]>, parameter: string): EncryptionContext {
  const context = new Map<string, string>();
  for (const [key, value] of entries) {
    if (typeof value !== 'string' || context.has(key)) throw new KmsError('InvalidInput', parameter);
    if (LONE_SURROGATE.test(key) || LONE_SURROGATE.test(value)) throw new KmsError('InvalidInput', parameter);
    context.set(key, value);
  }
  if (JSON.stringify(Object.fromEntries(context)).length > MAX_ENCRYPTION_CONTEXT_LENGTH) {
    throw new KmsError('InvalidInput', parameter);
  }
  return context;
}

export function encodeContextForAad(context: EncryptionContext): Buffer {
  const pairs = [...context].map(([key, value]) => [Buffer.from(key, 'utf8'), Buffer.from(value, 'utf8')] as const);
  pairs.sort(([a], [b]) => Buffer.compare(a, b));
  const size = 4 + pairs.reduce((sum, [key, value]) => sum + 8 + key.length + value.length, 0);
  const out = Buffer.allocUnsafe(size);
  let offset = out.writeUInt32BE(pairs.length, 0);
  for (const [key, value] of pairs) {
    offset = out.writeUInt32BE(key.length, offset);
    offset += key.copy(out, offset);
    offset = out.writeUInt32BE(value.length, offset);
    offset += value.copy(out, offset);
  }
  return out;
}

/**
 * What a CiphertextBlob seals (ADR 26): `ordinary`, what Encrypt seals (and every blob made before
 * ADR 26, data keys included); `data-key`, a data key the data-key actions made. The kind is bound
 * into the additional data only, so the blob's layout is the same for both.
 */
export const BlobKind = { Ordinary: 'ordinary', DataKey: 'data-key' } as const;
export type BlobKind = (typeof BlobKind)[keyof typeof BlobKind];

// Appended after the canonical context, whose encoding is prefix-free (a count, then
// length-prefixed pairs): no ordinary additional data can equal a data key's, whatever the contexts.
const DATA_KEY_SUFFIX = Buffer.from('arca:data-key:1', 'ascii');

/**
 * The additional data a CiphertextBlob is sealed with: the blob's 36-byte header (the key
 * version id in ASCII) followed by the canonical context, and for a data key a fixed suffix.
 */
export function blobAdditionalData(keyVersionId: string, context: EncryptionContext, kind: BlobKind = BlobKind.Ordinary): Buffer {
  const parts = [Buffer.from(keyVersionId, 'ascii'), encodeContextForAad(context)];
  if (kind === BlobKind.DataKey) parts.push(DATA_KEY_SUFFIX);
  return Buffer.concat(parts);
}
