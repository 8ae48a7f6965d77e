import { KmsError } from '../domain/errors.js';

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Whether `text` is canonical, padded base64 (no whitespace, no URL alphabet). */
export function isCanonicalBase64(text: string): boolean {
  return BASE64_PATTERN.test(text);
}

/**
 * The bytes of a CiphertextBlob parameter. Text that is not canonical base64 gets the same opaque
 * `InvalidCiphertext` as every other blob that does not open.
 */
export function ciphertextFromBase64(text: string): Buffer {
  if (!isCanonicalBase64(text)) throw new KmsError('InvalidCiphertext');
  return Buffer.from(text, 'base64');
}

/** The bytes of a base64 parameter, or InvalidInput naming it. */
export function bytesFromBase64(text: string, parameter: string): Buffer {
  if (!isCanonicalBase64(text)) throw new KmsError('InvalidInput', parameter);
  return Buffer.from(text, 'base64');
}
