import { destroyImportedMaterial } from '../operations/key-material.js';
import type { KeyRepository } from '../operations/key-repository.js';
import { drainDueKeys, type Job, type JobActionRecorder, type JobReport } from './job.js';

/**
 * The end of imported material: every key whose MaterialExpireTime has passed loses its
 * material, as DeleteKeyMaterial would take it: the key goes to PendingImport (a PendingDeletion
 * key stays PendingDeletion), and its opened versions leave this process's memory. Importing the
 * same material again brings every old ciphertext back.
 *
 * The destruction is conditioned on the revision the due list returned, so a re-import that
 * lands first (which moves the expiry) wins and the key is skipped.
 */
export class MaterialExpiryJob implements Job {
  readonly name = 'material-expiry';
  readonly #keys: KeyRepository;
  readonly #recorder: JobActionRecorder;

  constructor(keys: KeyRepository, recorder: JobActionRecorder) {
    this.#keys = keys;
    this.#recorder = recorder;
  }

  run(nowMs: number, signal?: AbortSignal): Promise<JobReport> {
    return drainDueKeys(
      (limit) => this.#keys.listKeysDueForMaterialExpiry(nowMs, limit),
      (key) =>
        this.#recorder.runJobAction('ExpireKeyMaterial', key, async () =>
          (await destroyImportedMaterial(this.#keys, key)) ? 'done' : 'skipped',
        ),
      signal,
    );
  }
}
