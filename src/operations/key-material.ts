import { KmsError } from '../domain/errors.js';
import { reviseKey, type Key, type KeyVersion } from '../domain/key.js';
import { Origin } from '../domain/key-spec.js';
import { KeyState } from '../domain/key-state.js';
import type { KeyRepository } from './key-repository.js';

/** Import actions act only on EXTERNAL keys (Unsupported.Origin otherwise). */
export function requireExternal(key: Key): void {
  if (key.origin !== Origin.External) throw new KmsError('UnsupportedOrigin');
}

/**
 * The one version of an EXTERNAL key (rotation is refused for them, so it is also the primary),
 * read fresh from the store.
 */
export async function importedVersionOf(keys: KeyRepository, key: Key): Promise<KeyVersion> {
  try {
    return await keys.versionOf(key, key.primaryKeyVersionId);
  } catch (error) {
    if (error instanceof KmsError && error.kind === 'KeyVersionNotFound') throw new KmsError('KeyNotFound');
    throw error;
  }
}

/**
 * Destroys an EXTERNAL key's imported material (DeleteKeyMaterial, or its expiry): the sealed
 * material leaves the store, the key goes to PendingImport unless it is PendingDeletion (then its
 * state and DeleteDate stay), and MaterialExpireTime is cleared. The commitment stays, so only
 * the same material can be imported again, and it makes every old ciphertext decrypt again.
 *
 * Returns the revised key, or undefined when another writer changed the key first.
 */
export async function destroyImportedMaterial(keys: KeyRepository, key: Key): Promise<Key | undefined> {
  const version = await importedVersionOf(keys, key);
  const next = reviseKey(key, {
    keyState: key.keyState === KeyState.PendingDeletion ? KeyState.PendingDeletion : KeyState.PendingImport,
    materialExpireTime: null,
  });
  return (await keys.replaceMaterial(key, next, { ...version, material: null })) ? next : undefined;
}

const MAX_ATTEMPTS = 3;

/**
 * Runs `attempt` on the key as stored, again on a fresh read when it reports that another writer
 * changed the key first (false), at most three times; ConcurrentModification after that.
 */
export async function retryOnConflict(keys: KeyRepository, first: Key, attempt: (key: Key) => Promise<boolean>): Promise<void> {
  let key: Key | undefined = first;
  for (let tries = 1; ; tries++) {
    if (await attempt(key)) return;
    if (tries >= MAX_ATTEMPTS) throw new KmsError('ConcurrentModification');
    keys.invalidate({ kind: 'key', keyId: first.keyId });
    key = await keys.findKey(first.keyId);
    if (!key) throw new KmsError('KeyNotFound');
  }
}
