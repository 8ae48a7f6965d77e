import type { Clock } from '../domain/ports.js';
import type { KeyRing } from '../operations/key-ring.js';
import { addKeyVersion } from '../operations/rotation.js';
import { drainDueKeys, type Job, type JobReport } from './job.js';

/**
 * Automatic rotation: every Enabled key whose LastRotationDate + RotationInterval has passed gets
 * a new primary version, once. A key that fell due several intervals ago (the server was down)
 * rotates once, and its next rotation is one interval after this one. A Disabled or
 * PendingDeletion key is not due (its rotation is suspended) and falls due again once Enabled.
 *
 * Once only: the rotation is stored on the condition that the key is still at the revision the
 * due list returned. When another writer changed the key first (another runner rotated it, a
 * request disabled it), `addKeyVersion` stores nothing and the key is skipped; if it is still
 * due, the next tick rotates it from its new revision.
 */
export class RotationJob implements Job {
  readonly name = 'rotation';
  readonly #keys: KeyRing;
  readonly #clock: Clock;

  constructor(keys: KeyRing, clock: Clock) {
    this.#keys = keys;
    this.#clock = clock;
  }

  run(nowMs: number, signal?: AbortSignal): Promise<JobReport> {
    return drainDueKeys(
      (limit) => this.#keys.store.listKeysDueForRotation(nowMs, limit),
      async (key) => ((await addKeyVersion(this.#keys, this.#clock, key)) ? 'done' : 'skipped'),
      signal,
    );
  }
}
