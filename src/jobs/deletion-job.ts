import { StoreConflictError } from '../domain/ports.js';
import type { KeyRing } from '../operations/key-ring.js';
import { drainDueKeys, type Job, type JobReport } from './job.js';

/**
 * The end of the pending-deletion window: a PendingDeletion key whose DeleteDate has passed is
 * destroyed with all its versions (their material) and its aliases. Its ciphertexts then answer
 * Forbidden.KeyNotFound.
 *
 * The deletion is conditioned on the revision the due list returned, so a CancelKeyDeletion (or
 * any change) that lands first wins: the key is skipped, and destroyed at a later tick only if it
 * is still due then. One that lands after finds the key gone.
 */
export class DeletionJob implements Job {
  readonly name = 'deletion';
  readonly #keys: KeyRing;

  constructor(keys: KeyRing) {
    this.#keys = keys;
  }

  run(nowMs: number, signal?: AbortSignal): Promise<JobReport> {
    return drainDueKeys(
      (limit) => this.#keys.store.listKeysDueForDeletion(nowMs, limit),
      async (key) => {
        try {
          await this.#keys.store.deleteKey(key.keyId, key.revision);
        } catch (error) {
          if (!(error instanceof StoreConflictError)) throw error;
          this.#keys.forgetKey(key.keyId);
          return 'skipped';
        }
        this.#keys.forgetDestroyedKey(key.keyId);
        return 'done';
      },
      signal,
    );
  }
}
