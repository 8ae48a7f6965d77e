import type { KeyRepository } from '../operations/key-repository.js';
import { drainDueKeys, type Job, type JobActionRecorder, type JobReport } from './job.js';

/**
 * Automatic rotation: every Enabled key whose LastRotationDate + RotationInterval has passed gets
 * a new primary version, once. A key that fell due several intervals ago (the server was down)
 * rotates once, and its next rotation is one interval after this one. A Disabled or
 * PendingDeletion key is not due (its rotation is suspended) and falls due again once Enabled.
 *
 * Once only: the rotation is stored on the condition that the key is still at the revision the
 * due list returned. When another writer changed the key first (another runner rotated it, a
 * request disabled it), the rotation stores nothing and the key is skipped; if it is still
 * due, the next tick rotates it from its new revision.
 */
export class RotationJob implements Job {
  readonly name = 'rotation';
  readonly #keys: KeyRepository;
  readonly #recorder: JobActionRecorder;

  constructor(keys: KeyRepository, recorder: JobActionRecorder) {
    this.#keys = keys;
    this.#recorder = recorder;
  }

  run(nowMs: number, signal?: AbortSignal): Promise<JobReport> {
    return drainDueKeys(
      (limit) => this.#keys.listKeysDueForRotation(nowMs, limit),
      (key) => this.#recorder.runJobAction('RotateKey', key, async () => ((await this.#keys.rotate(key)) ? 'done' : 'skipped')),
      signal,
    );
  }
}
