import { timingSafeEqual } from 'node:crypto';

/**
 * Compares a computed signature with the one a caller sent, in time that does not depend on
 * where they first differ. Lengths are not secret (every valid signature of a scheme has the same
 * length), so unequal lengths return `false` at once: `timingSafeEqual` requires equal lengths.
 */
export function signaturesEqual(expected: string, received: string): boolean {
  const expectedBytes = Buffer.from(expected, 'utf8');
  const receivedBytes = Buffer.from(received, 'utf8');
  return expectedBytes.length === receivedBytes.length && timingSafeEqual(expectedBytes, receivedBytes);
}
