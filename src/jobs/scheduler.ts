import type { Logger } from 'pino';
import type { Clock } from '../domain/ports.js';
import type { Job, JobReport } from './job.js';

/** The longest delay `setTimeout` honours (about 24.8 days); a longer one fires at once. */
export const MAX_JOB_INTERVAL_MS = 2 ** 31 - 1;

export interface JobSchedulerOptions {
  /**
   * What runs on every tick, in this order. `main.ts` chooses the list: rotation, deletion, then
   * material expiry (keys whose imported material has passed MaterialExpireTime lose it and go to
   * PendingImport).
   */
  readonly jobs: readonly Job[];
  /** The server's one clock: each job is handed `clock.now()` when it starts. */
  readonly clock: Clock;
  /** The pause between the end of one tick and the start of the next. */
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Told of every job run (the metrics); nothing when absent. */
  readonly observer?: JobRunObserver;
}

/** One run of one job, as the metrics see it. */
export interface JobRun {
  readonly job: string;
  readonly durationMs: number;
  /** How long after its tick was due the job started: a long tick before it, a busy event loop, the jobs before it in the tick. */
  readonly lagMs: number;
  /** The clock's time when it ended. */
  readonly finishedAtMs: number;
  /** It threw, or failed on at least one key. */
  readonly failed: boolean;
}

export type JobRunObserver = (run: JobRun) => void;

/** What one job did in a tick: its report, or the error it threw. */
export type JobOutcome = { readonly job: string; readonly report: JobReport } | { readonly job: string; readonly error: unknown };

/**
 * Runs the background jobs inside the server: one tick right away on `start`, then one tick
 * `intervalMs` after the previous one ended. Ticks never overlap (a tick asked for while one runs
 * waits for it), and the jobs of a tick run one after another.
 *
 * Nothing a job does stops the scheduler: a job that throws is logged and the tick goes on with
 * the next job; the next tick runs as planned. Nothing is kept between ticks either: what is due
 * comes from the store each time, so a restart loses nothing and a key that fell due while the
 * server was down is handled at the first tick.
 *
 * Several processes on one database each run their own scheduler; the jobs' writes are
 * conditioned on revisions, so each change still happens once. (Electing one runner through the
 * database, to save the duplicate reads, comes with PostgreSQL.)
 */
export class JobScheduler {
  readonly #jobs: readonly Job[];
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  readonly #observer: JobRunObserver | undefined;
  readonly #stopping = new AbortController();
  /** When the next tick is due (performance.now()): at once on start and for runOnce. */
  #dueAtMs: number | undefined;
  #started = false;
  #timer: NodeJS.Timeout | undefined;
  /** The tick running or last run; the next one starts after it. Never rejects. */
  #lastTick: Promise<unknown> = Promise.resolve();

  constructor(options: JobSchedulerOptions) {
    if (!Number.isSafeInteger(options.intervalMs) || options.intervalMs < 1 || options.intervalMs > MAX_JOB_INTERVAL_MS) {
      throw new RangeError(`the job interval must be a whole number of milliseconds from 1 to ${MAX_JOB_INTERVAL_MS}`);
    }
    const names = options.jobs.map((job) => job.name);
    if (new Set(names).size !== names.length) throw new Error(`two jobs share a name: ${names.join(', ')}`);
    this.#jobs = options.jobs;
    this.#clock = options.clock;
    this.#intervalMs = options.intervalMs;
    this.#logger = options.logger;
    this.#observer = options.observer;
  }

  /** Runs a tick now, then every `intervalMs` after the end of the previous one, until `stop`. */
  start(): void {
    if (this.#started) throw new Error('the job scheduler was started already');
    if (this.#stopping.signal.aborted) throw new Error('the job scheduler is stopped');
    this.#started = true;
    this.#loop();
  }

  /**
   * Runs one tick (after the running one, if any) and reports what each job did. Rejects only
   * once the scheduler is stopped.
   */
  runOnce(): Promise<JobOutcome[]> {
    if (this.#stopping.signal.aborted) return Promise.reject(new Error('the job scheduler is stopped'));
    const tick = this.#lastTick.then(() => this.#tick());
    this.#lastTick = tick.catch(() => undefined);
    return tick;
  }

  /**
   * Plans no more ticks and waits for the running one, which its jobs cut short between two keys:
   * what they did not reach is due at the next start. Safe to call more than once.
   */
  async stop(): Promise<void> {
    this.#stopping.abort();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#lastTick;
  }

  #loop(): void {
    this.runOnce().then(
      () => {
        if (this.#stopping.signal.aborted) return;
        this.#dueAtMs = performance.now() + this.#intervalMs;
        this.#timer = setTimeout(() => this.#loop(), this.#intervalMs);
        // The server's sockets keep the process alive; a planned tick alone must not.
        this.#timer.unref();
      },
      () => {
        // Stopped before this tick could start: nothing more to plan.
      },
    );
  }

  async #tick(): Promise<JobOutcome[]> {
    const dueAtMs = this.#dueAtMs ?? performance.now();
    this.#dueAtMs = undefined;
    const outcomes: JobOutcome[] = [];
    for (const job of this.#jobs) {
      if (this.#stopping.signal.aborted) break;
      outcomes.push(await this.#runJob(job, dueAtMs));
    }
    return outcomes;
  }

  async #runJob(job: Job, dueAtMs: number): Promise<JobOutcome> {
    const nowMs = this.#clock.now();
    const startedMs = performance.now();
    let outcome: JobOutcome;
    try {
      const report = await job.run(nowMs, this.#stopping.signal);
      this.#log(job, nowMs, report);
      outcome = { job: job.name, report };
    } catch (error) {
      this.#logger.error(
        { err: error, job: job.name, now: new Date(nowMs).toISOString() },
        'a background job failed; it runs again at the next tick',
      );
      outcome = { job: job.name, error };
    }
    this.#observer?.({
      job: job.name,
      durationMs: performance.now() - startedMs,
      lagMs: startedMs - dueAtMs,
      finishedAtMs: this.#clock.now(),
      failed: 'error' in outcome || outcome.report.failures.length > 0,
    });
    return outcome;
  }

  #log(job: Job, nowMs: number, report: JobReport): void {
    for (const { keyId, error } of report.failures) {
      this.#logger.error({ err: error, job: job.name, keyId }, 'a background job failed on one key; it tries again at the next tick');
    }
    if (report.done.length === 0 && report.skipped.length === 0 && report.failures.length === 0) return;
    this.#logger.info(
      {
        job: job.name,
        now: new Date(nowMs).toISOString(),
        done: report.done.length,
        keyIds: report.done,
        skipped: report.skipped.length,
        failed: report.failures.length,
      },
      `background job ${job.name} ran`,
    );
  }
}
