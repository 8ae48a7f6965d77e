import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import { pino } from 'pino';
import type { Job, JobReport } from '../../src/jobs/job.js';
import { JobScheduler, MAX_JOB_INTERVAL_MS, type JobOutcome, type JobRun } from '../../src/jobs/scheduler.js';
import { FakeClock, T0 } from './support.js';

const NOTHING: JobReport = { done: [], skipped: [], failures: [] };
const INTERVAL_MS = 60_000;

interface LogLine {
  level: number;
  msg: string;
  job?: string;
  keyId?: string;
  err?: { message: string };
}

function capturingLogger() {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

/** A job that records the instants it ran at and does what `behaviour` says. */
function recordingJob(
  name: string,
  behaviour: (nowMs: number, signal?: AbortSignal) => Promise<JobReport> = () => Promise.resolve(NOTHING),
) {
  const runs: number[] = [];
  const job: Job = {
    name,
    run: (nowMs, signal) => {
      runs.push(nowMs);
      return behaviour(nowMs, signal);
    },
  };
  return { job, runs };
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function reportOf(outcome: JobOutcome | undefined): JobReport | undefined {
  return outcome && 'report' in outcome ? outcome.report : undefined;
}

void describe('JobScheduler', () => {
  const schedulers: JobScheduler[] = [];
  function scheduler(jobs: Job[], clock = new FakeClock(), logger = capturingLogger().logger): JobScheduler {
    const made = new JobScheduler({ jobs, clock, intervalMs: INTERVAL_MS, logger });
    schedulers.push(made);
    return made;
  }

  afterEach(async () => {
    for (const made of schedulers.splice(0)) await made.stop();
    mock.timers.reset();
  });

  void it('runOnce runs every job in order, each at the clock’s time, and reports what each did', async () => {
    const clock = new FakeClock();
    const order: string[] = [];
    const first = recordingJob('first', () => {
      order.push('first');
      clock.advance(5);
      return Promise.resolve({ done: ['k1'], skipped: [], failures: [] });
    });
    const second = recordingJob('second', () => {
      order.push('second');
      return Promise.resolve(NOTHING);
    });
    const outcomes = await scheduler([first.job, second.job], clock).runOnce();
    assert.deepEqual(order, ['first', 'second']);
    assert.deepEqual(first.runs, [T0]);
    assert.deepEqual(second.runs, [T0 + 5]);
    assert.deepEqual(outcomes, [
      { job: 'first', report: { done: ['k1'], skipped: [], failures: [] } },
      { job: 'second', report: NOTHING },
    ]);
  });

  void it('a job that throws is logged; the other jobs run, and so do later ticks', async () => {
    const { logger, lines } = capturingLogger();
    let throwing = true;
    const flaky = recordingJob('flaky', () => (throwing ? Promise.reject(new Error('database is locked')) : Promise.resolve(NOTHING)));
    const steady = recordingJob('steady');
    const synchronousThrower: Job = {
      name: 'synchronous',
      run: () => {
        throw new Error('thrown before any promise');
      },
    };
    const jobs = scheduler([flaky.job, synchronousThrower, steady.job], new FakeClock(), logger);

    const outcomes = await jobs.runOnce();
    assert.equal(outcomes.length, 3);
    assert.ok(outcomes[0] && 'error' in outcomes[0] && (outcomes[0].error as Error).message === 'database is locked');
    assert.ok(outcomes[1] && 'error' in outcomes[1]);
    assert.deepEqual(reportOf(outcomes[2]), NOTHING);
    assert.deepEqual(
      lines.filter((line) => line.level === 50).map((line) => [line.job, line.err?.message]),
      [
        ['flaky', 'database is locked'],
        ['synchronous', 'thrown before any promise'],
      ],
    );

    throwing = false;
    const later = await jobs.runOnce();
    assert.deepEqual(reportOf(later[0]), NOTHING);
    assert.equal(flaky.runs.length, 2);
    assert.equal(steady.runs.length, 2);
  });

  void it('logs each key a job failed on, and a summary when it did anything; nothing when idle', async () => {
    const { logger, lines } = capturingLogger();
    const job = recordingJob('rotation', () =>
      Promise.resolve({ done: ['k1', 'k2'], skipped: ['k3'], failures: [{ keyId: 'k4', error: new Error('no protector') }] }),
    );
    const idle = recordingJob('idle');
    await scheduler([job.job, idle.job], new FakeClock(), logger).runOnce();
    const failure = lines.find((line) => line.level === 50);
    assert.equal(failure?.keyId, 'k4');
    assert.equal(failure?.err?.message, 'no protector');
    const summary = lines.find((line) => line.level === 30) as (LogLine & Record<string, unknown>) | undefined;
    assert.deepEqual(
      { job: summary?.job, done: summary?.done, keyIds: summary?.keyIds, skipped: summary?.skipped, failed: summary?.failed },
      { job: 'rotation', done: 2, keyIds: ['k1', 'k2'], skipped: 1, failed: 1 },
    );
    assert.equal(lines.filter((line) => line.job === 'idle').length, 0);
  });

  void it('never overlaps ticks: a tick asked for while one runs starts after it', async () => {
    const gate = deferred();
    const events: string[] = [];
    let calls = 0;
    const slow = recordingJob('slow', async () => {
      const call = ++calls;
      events.push(`start ${call}`);
      if (call === 1) await gate.promise;
      events.push(`end ${call}`);
      return NOTHING;
    });
    const jobs = scheduler([slow.job]);
    const first = jobs.runOnce();
    const second = jobs.runOnce();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(events, ['start 1']);
    gate.resolve();
    await Promise.all([first, second]);
    assert.deepEqual(events, ['start 1', 'end 1', 'start 2', 'end 2']);
  });

  void it('start runs a tick at once, then one every interval after the previous tick ended, whatever the jobs throw', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const clock = new FakeClock();
    let ran = deferred();
    const job = recordingJob('tick', (nowMs) => {
      ran.resolve();
      return Promise.resolve({ done: [String(nowMs)], skipped: [], failures: [] });
    });
    const broken = recordingJob('broken', () => Promise.reject(new Error('always fails')));
    const jobs = scheduler([broken.job, job.job], clock);
    jobs.start();
    await ran.promise;
    assert.deepEqual(job.runs, [T0], 'the first tick does not wait for the interval');
    await new Promise((resolve) => setImmediate(resolve)); // the tick ends and plans the next

    for (let tick = 1; tick <= 3; tick++) {
      ran = deferred();
      clock.advance(INTERVAL_MS);
      mock.timers.tick(INTERVAL_MS - 1);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(job.runs.length, tick, 'not before the interval');
      mock.timers.tick(1);
      await ran.promise;
      assert.equal(job.runs.length, tick + 1);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(broken.runs.length, 4, 'the failing job ran at every tick too');
    assert.throws(() => jobs.start(), /started already/);
  });

  void it('stop waits for the running tick, which it asks to stop between keys; then no tick runs again', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    const started = deferred();
    let sawAbort = false;
    const job = recordingJob('long', async (_nowMs, signal) => {
      started.resolve();
      await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
      sawAbort = signal?.aborted ?? false;
      return NOTHING;
    });
    const after = recordingJob('after');
    const jobs = scheduler([job.job, after.job]);
    jobs.start();
    await started.promise;

    let stopped = false;
    const stopping = jobs.stop().then(() => (stopped = true));
    await stopping;
    assert.ok(stopped && sawAbort, 'the job saw the abort and stop waited for it');
    assert.deepEqual(after.runs, [], 'the jobs after it in the tick do not start');

    mock.timers.tick(10 * INTERVAL_MS);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(job.runs.length, 1);
    await assert.rejects(jobs.runOnce(), /stopped/);
    await jobs.stop(); // a second stop is harmless
  });

  void it('refuses an interval setTimeout cannot honour, and two jobs with one name', () => {
    const logger = capturingLogger().logger;
    const clock = new FakeClock();
    for (const intervalMs of [0, -1, 1.5, MAX_JOB_INTERVAL_MS + 1, Number.NaN]) {
      assert.throws(() => new JobScheduler({ jobs: [], clock, intervalMs, logger }), RangeError, `interval ${intervalMs}`);
    }
    assert.throws(
      () => new JobScheduler({ jobs: [recordingJob('same').job, recordingJob('same').job], clock, intervalMs: 1000, logger }),
      /share a name/,
    );
  });

  void it('tells its observer of every job run: time, lag, end, and whether it failed', async () => {
    const runs: JobRun[] = [];
    const failing = recordingJob('failing', () => Promise.reject(new Error('store unreachable')));
    const partly = recordingJob('partly', () =>
      Promise.resolve({ done: [], skipped: [], failures: [{ keyId: 'k', error: new Error('x') }] }),
    );
    const fine = recordingJob('fine');
    const clock = new FakeClock();
    const observed = new JobScheduler({
      jobs: [failing.job, partly.job, fine.job],
      clock,
      intervalMs: INTERVAL_MS,
      logger: capturingLogger().logger,
      observer: (run) => runs.push(run),
    });
    schedulers.push(observed);
    await observed.runOnce();
    assert.deepEqual(
      runs.map(({ job, failed, finishedAtMs }) => ({ job, failed, finishedAtMs })),
      [
        { job: 'failing', failed: true, finishedAtMs: T0 },
        { job: 'partly', failed: true, finishedAtMs: T0 },
        { job: 'fine', failed: false, finishedAtMs: T0 },
      ],
    );
    for (const run of runs) {
      assert.ok(run.durationMs >= 0 && run.lagMs >= 0, JSON.stringify(run));
    }
    assert.ok(runs[2]!.lagMs >= runs[0]!.lagMs, 'a later job of the tick starts later after the tick was due');
  });
});
