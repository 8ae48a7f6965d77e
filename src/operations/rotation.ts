import { randomUUID } from 'node:crypto';
import { KmsError } from '../domain/errors.js';
import { reviseKey, type Key } from '../domain/key.js';
import { Origin } from '../domain/key-spec.js';
import { StoreConflictError, type Clock } from '../domain/ports.js';
import type { KeyRing } from './key-ring.js';

/**
 * Adds a version with fresh material to `key` and makes it primary, in one store transaction
 * conditioned on the revision read: a crash leaves the old primary or the new one, never a key
 * without a primary or a version without material, and of two rotations racing from the same
 * revision (two requests, two nodes, a job and a request) only one lands.
 *
 * Returns the revised key, or `undefined` when another writer changed the key first.
 */
export async function addKeyVersion(keys: KeyRing, clock: Clock, key: Key): Promise<Key | undefined> {
  if (key.origin === Origin.External) throw new KmsError('UnsupportedOrigin');
  const now = clock.now();
  const keyVersionId = randomUUID();
  const material = await keys.protectorFor(key.protectionLevel).generate(key.keySpec, keyVersionId);
  const rotated = reviseKey(key, { primaryKeyVersionId: keyVersionId, lastRotationDate: now });
  try {
    await keys.store.addKeyVersion(rotated, { keyId: key.keyId, keyVersionId, creationDate: now, material, materialCommitment: null }, key.revision);
  } catch (error) {
    if (error instanceof StoreConflictError && (error.reason === 'stale-revision' || error.reason === 'missing')) {
      keys.forgetKey(key.keyId);
      return undefined;
    }
    throw error;
  }
  keys.remember(rotated);
  return rotated;
}

/** When automatic rotation is next due, or null when it is off. */
export function nextRotationDate(key: Key): number | null {
  if (!key.automaticRotation || key.rotationIntervalSeconds === null) return null;
  return key.lastRotationDate + key.rotationIntervalSeconds * 1000;
}
