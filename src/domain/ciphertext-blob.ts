import { GCM_IV_LENGTH, GCM_TAG_LENGTH } from '../crypto/aead.js';
import { KmsError } from './errors.js';

/**
 * The CiphertextBlob, version 1 (the layout Alibaba's own tools parse; on the Alibaba wire it
 * travels as base64 of these bytes):
 *
 *   keyVersionId(36 ASCII bytes, lower-case UUID) ‖ iv(12) ‖ ciphertext ‖ tag(16)
 *
 * The first 36 bytes, the header, name the key version, so Decrypt needs no key id. The header
 * is not secret but it is authenticated: it is the start of the AEAD's additional data.
 */
export const KEY_VERSION_ID_LENGTH = 36;
export const MIN_BLOB_LENGTH = KEY_VERSION_ID_LENGTH + GCM_IV_LENGTH + GCM_TAG_LENGTH;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ParsedBlob {
  readonly keyVersionId: string;
  /** iv ‖ ciphertext ‖ tag: what the AEAD opens. */
  readonly sealed: Buffer;
}

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

export function encodeCiphertextBlob(keyVersionId: string, sealed: Buffer): Buffer {
  return Buffer.concat([Buffer.from(keyVersionId, 'ascii'), sealed]);
}

/**
 * Splits a blob into its header and sealed part. Every structural fault (too short to hold
 * header, IV and tag, a header that is not a UUID) gives the same opaque `InvalidCiphertext` that
 * a failed tag gives, so a caller learns nothing from which check failed.
 */
export function decodeCiphertextBlob(bytes: Buffer): ParsedBlob {
  if (bytes.length < MIN_BLOB_LENGTH) throw new KmsError('InvalidCiphertext');
  const keyVersionId = bytes.toString('latin1', 0, KEY_VERSION_ID_LENGTH);
  if (!isUuid(keyVersionId)) throw new KmsError('InvalidCiphertext');
  return { keyVersionId, sealed: bytes.subarray(KEY_VERSION_ID_LENGTH) };
}
