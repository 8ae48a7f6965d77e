import { KmsError } from '../domain/errors.js';
import { reviseKey, type Key, type KeyVersion } from '../domain/key.js';
import { Origin } from '../domain/key-spec.js';
import { KeyState } from '../domain/key-state.js';
import { StoreConflictError } from '../domain/ports.js';
import type { KeyRing } from './key-ring.js';

/** Import actions act only on EXTERNAL keys (Unsupported.Origin otherwise). */
export function requireExternal(key: Key): void {
  if (key.origin !== Origin.External) throw new KmsError('UnsupportedOrigin');
}

/**
 * The one version of an EXTERNAL key (rotation is refused for them, so it is also the primary),
 * read fresh from the store.
 */
export async function importedVersionOf(keys: KeyRing, key: Key): Promise<KeyVersion> {
  const version = await keys.store.getKeyVersion(key.primaryKeyVersionId);
  if (!version || version.keyId !== key.keyId) throw new KmsError('ForbiddenKeyNotFound');
  return version;
}

/**
 * Stores `version` (its new material, or none) with `next` in one transaction conditioned on the
 * revision of `key`, then makes this process forget every opened version of the key before it
 * remembers the new record: material that was destroyed can no longer be used from memory, and
 * material that arrived is opened afresh from the store.
 *
 * Returns false when another writer changed the key first (nothing was stored).
 */
export async function storeMaterial(keys: KeyRing, key: Key, next: Key, version: KeyVersion): Promise<boolean> {
  try {
    await keys.store.replaceKeyMaterial(next, version, key.revision);
  } catch (error) {
    if (!(error instanceof StoreConflictError)) throw error;
    keys.forgetKey(key.keyId);
    if (error.reason === 'missing') throw new KmsError('ForbiddenKeyNotFound');
    return false;
  }
  keys.forgetDestroyedKey(key.keyId);
  keys.remember(next);
  return true;
}

/**
 * Destroys an EXTERNAL key's imported material (DeleteKeyMaterial, or its expiry): the sealed
 * material leaves the store, the key goes to PendingImport unless it is PendingDeletion (then its
 * state and DeleteDate stay), and MaterialExpireTime is cleared. The commitment stays, so only
 * the same material can be imported again, and it makes every old ciphertext decrypt again.
 *
 * Returns the revised key, or undefined when another writer changed the key first.
 */
export async function destroyImportedMaterial(keys: KeyRing, key: Key): Promise<Key | undefined> {
  const version = await importedVersionOf(keys, key);
  const next = reviseKey(key, {
    keyState: key.keyState === KeyState.PendingDeletion ? KeyState.PendingDeletion : KeyState.PendingImport,
    materialExpireTime: null,
  });
  return (await storeMaterial(keys, key, next, { ...version, material: null })) ? next : undefined;
}
