import type { KeyRepository } from '../operations/key-repository.js';
import { drainDueKeys, type Job, type JobActionRecorder, type JobReport } from './job.js';

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
  readonly #keys: KeyRepository;
  readonly #recorder: JobActionRecorder;

  constructor(keys: KeyRepository, recorder: JobActionRecorder) {
    this.#keys = keys;
    this.#recorder = recorder;
  }

  run(nowMs: number, signal?: AbortSignal): Promise<JobReport> {
    return drainDueKeys(
      (limit) => this.#keys.listKeysDueForDeletion(nowMs, limit),
      (key) => this.#recorder.runJobAction('DeleteKey', key, async () => ((await this.#keys.deleteKey(key)) ? 'done' : 'skipped')),
      signal,
    );
  }
}
