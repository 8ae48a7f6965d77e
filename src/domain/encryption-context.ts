import { KmsError } from './errors.js';

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

/** Parses the JSON form; `parameter` names the wire parameter in the error. */
export function parseEncryptionContextJson(json: string, parameter: string): EncryptionContext {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new KmsError('InvalidInput', parameter);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new KmsError('InvalidInput', parameter);
  }
  return contextFromEntries(Object.entries(parsed), parameter);
}

/**
 * Builds a context from pairs (the flattened `EncryptionContext.k=v` form arrives this way).
 * The 8192-character limit is measured on the compact JSON form of the context, so both wire
 * forms, and JSON with or without whitespace, are held to the same limit.
 */
export function contextFromEntries(entries: ReadonlyArray<readonly [string, unknown]>, parameter: string): EncryptionContext {
  const context = new Map<string, string>();
  for (const [key, value] of entries) {
    if (typeof value !== 'string' || context.has(key)) throw new KmsError('InvalidInput', parameter);
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
 * The additional data a CiphertextBlob is sealed with: the blob's 36-byte header (the key
 * version id in ASCII) followed by the canonical context.
 */
export function blobAdditionalData(keyVersionId: string, context: EncryptionContext): Buffer {
  return Buffer.concat([Buffer.from(keyVersionId, 'ascii'), encodeContextForAad(context)]);
}
