import type { Key } from '../domain/key.js';
import type { JobActionOutcome, JobActionRecorder } from '../pipeline/runner.js';

/**
 * Work the server does on its own, on every tick of the scheduler. A job reads what is due at
 * `nowMs` from the store and acts on it; every write it makes is conditioned on the revision it
 * read, so two runners (two ticks, two processes on one database, a job and a request) never
 * both act on the same key.
 */
export interface Job {
  /** A short stable name, for logs. */
  readonly name: string;
  /**
   * Handles everything due at `nowMs`. One key that cannot be handled is reported among the
   * failures and the job goes on with the others; a rejection means the job could not run at
   * all (the store is unreachable). When `signal` aborts, the job stops between two keys: what it
   * did not reach is still due at the next tick.
   */
  run(nowMs: number, signal?: AbortSignal): Promise<JobReport>;
}

export interface JobFailure {
  readonly keyId: string;
  readonly error: unknown;
}

export interface JobReport {
  /** The keys the job acted on (rotated, destroyed). */
  readonly done: readonly string[];
  /** The keys it left alone because another writer changed them first. */
  readonly skipped: readonly string[];
  /** The keys whose handling threw; they are still due and are tried again at the next tick. */
  readonly failures: readonly JobFailure[];
}

export type DueKeyOutcome = JobActionOutcome;
export type { JobActionRecorder };

/** How many due keys one store query returns. */
export const DUE_BATCH_SIZE = 100;

/**
 * Lists the due keys batch by batch and hands each to `handle` once, until no key is due that
 * this run has not seen: a backlog of any size (after downtime) is drained in one run.
 *
 * A key the run acted on leaves the due list. One it skipped or failed on may stay in it; it is
 * not tried again in this run (the next tick will), and each later query asks for that many more
 * keys, so such keys never hide the due keys behind them, and the loop ends.
 */
export async function drainDueKeys(
  listDue: (limit: number) => Promise<Key[]>,
  handle: (key: Key) => Promise<DueKeyOutcome>,
  signal?: AbortSignal,
  batchSize: number = DUE_BATCH_SIZE,
): Promise<JobReport> {
  const seen = new Set<string>();
  const done: string[] = [];
  const skipped: string[] = [];
  const failures: JobFailure[] = [];
  while (!signal?.aborted) {
    const stillDue = skipped.length + failures.length;
    const unseen = (await listDue(batchSize + stillDue)).filter((key) => !seen.has(key.keyId));
    if (unseen.length === 0) break;
    for (const key of unseen) {
      if (signal?.aborted) break;
      seen.add(key.keyId);
      try {
        const outcome = await handle(key);
        (outcome === 'done' ? done : skipped).push(key.keyId);
      } catch (error) {
        failures.push({ keyId: key.keyId, error });
      }
    }
  }
  return { done, skipped, failures };
}
