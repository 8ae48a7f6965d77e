import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LatencyHistogram } from './latency-histogram.js';
import type { AuditEvent } from '../domain/audit-event.js';

/** How many keys are in one state, of one spec, at one protection level. */
export interface KeyCount {
  readonly keyState: string;
  readonly keySpec: string;
  readonly protectionLevel: string;
  readonly count: number;
}

/** What the store can say about its contents at scrape time (src/domain/ports.ts KeyInventory). */
export interface KeyInventorySource {
  countKeys(): Promise<readonly KeyCount[]>;
  countKeyVersions(): Promise<number>;
}

/** The PKCS#11 sessions of this process, as the token's pool holds them. */
export interface SessionUse {
  readonly size: number;
  readonly inUse: number;
  readonly waiting: number;
}

export interface ArcaMetricsOptions {
  /**
   * The action names a request may carry in a label (every front end's table): any other name a
   * request sends is counted as `other`, so a client cannot grow the label set at will.
   */
  readonly knownActions: ReadonlySet<string>;
  /** `--metrics-per-key`: also count requests by key id (one series per key: mind the cardinality). */
  readonly perKey: boolean;
  /** Process and Node.js metrics (`process_*`, `nodejs_*`); off in tests that build several registries. */
  readonly processMetrics: boolean;
}

const OTHER_ACTION = 'other';
const NO_ACTION = 'none';
/** The job events' audit source (src/pipeline/runner.ts). */
const JOB_SOURCE = 'job';

// From a cached answer (about 0.1 ms) to a slow HSM or a stalled disk (seconds).
const REQUEST_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const JOB_SECONDS_BUCKETS = [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300];
const COMMIT_SECONDS_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const GROUP_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

type RequestLabels = 'source' | 'action' | 'code';
type KeyRequestLabels = 'key_id' | 'action' | 'code';

/** A counter's series as the request path counts it, and how much of it the counter has been told. */
interface CountedSeries<L extends string> {
  readonly labels: Record<L, string>;
  count: number;
  published: number;
}

function count<L extends string>(series: Map<string, CountedSeries<L>>, key: string, labels: () => Record<L, string>): void {
  const found = series.get(key);
  if (found) found.count += 1;
  else series.set(key, { labels: labels(), count: 1, published: 0 });
}

/** At a scrape: what was counted since the last one, into the prom-client counter. */
function publish<L extends string>(counter: Counter<L>, series: Map<string, CountedSeries<L>>): void {
  for (const entry of series.values()) {
    if (entry.count === entry.published) continue;
    counter.inc(entry.labels, entry.count - entry.published);
    entry.published = entry.count;
  }
}

/**
 * Arca's Prometheus metrics, in one registry of their own (never prom-client's global one, so
 * two servers in one test process do not share counters). Labels carry only bounded values:
 * the front end, an action name from the tables, a code from the error catalog, a key state,
 * spec or protection level, a job name. Key ids, aliases and principals appear only with
 * `perKey`, in a metric of their own (docs/adr/0032).
 *
 * Request metrics are fed by the pipeline's one audit event per request (`recordEvent`, through
 * MetricsAuditSink); the store, the jobs and the token report through the observer methods; the
 * gauges of what exists (keys, versions, replay-guard entries, sessions) are read at scrape time.
 */
export class ArcaMetrics {
  readonly registry = new Registry();
  readonly #knownActions: ReadonlySet<string>;
  readonly #requestSeconds: LatencyHistogram;
  readonly #jobActions: Counter<'action' | 'result'>;
  readonly #jobRunSeconds: Histogram<'job'>;
  readonly #jobLagSeconds: Gauge<'job'>;
  readonly #jobLastRun: Gauge<'job'>;
  readonly #jobFailures: Counter<'job'>;
  readonly #commitSeconds: Histogram;
  readonly #groupSize: Histogram;
  // The request path only adds to these plain counts (prom-client validates and hashes labels on
  // every inc(), about half a microsecond); the counters read them when scraped (`collect`).
  readonly #requestCounts = new Map<string, CountedSeries<RequestLabels>>();
  readonly #keyRequestCounts = new Map<string, CountedSeries<KeyRequestLabels>>();
  #throttledCount = 0;
  readonly #perKey: boolean;

  constructor(options: ArcaMetricsOptions) {
    this.#knownActions = options.knownActions;
    this.#perKey = options.perKey;
    const registers = [this.registry];
    const requestCounts = this.#requestCounts;
    new Counter({
      name: 'arca_requests_total',
      help: 'API requests answered, by front end, action and result code (Success or the error code)',
      labelNames: ['source', 'action', 'code'],
      registers,
      collect() {
        publish(this, requestCounts);
      },
    });
    this.#requestSeconds = new LatencyHistogram({
      name: 'arca_request_duration_seconds',
      help: 'Time from a request read to its answer decided, by front end and action',
      buckets: REQUEST_SECONDS_BUCKETS,
      registry: this.registry,
    });
    const throttled = { published: 0, count: (): number => this.#throttledCount };
    new Counter({
      name: 'arca_rate_limit_refusals_total',
      help: 'Requests refused by the per-access-key rate limit (--rate-limit)',
      registers,
      collect() {
        const count = throttled.count();
        if (count > throttled.published) this.inc(count - throttled.published);
        throttled.published = count;
      },
    });
    this.#jobActions = new Counter({
      name: 'arca_job_actions_total',
      help: 'What the background jobs did to keys: RotateKey, DeleteKey, ExpireKeyMaterial; result Success, Skipped or an error',
      labelNames: ['action', 'result'],
      registers,
    });
    this.#jobRunSeconds = new Histogram({
      name: 'arca_job_run_duration_seconds',
      help: 'How long one run of a background job took',
      labelNames: ['job'],
      buckets: JOB_SECONDS_BUCKETS,
      registers,
    });
    this.#jobLagSeconds = new Gauge({
      name: 'arca_job_lag_seconds',
      help: 'How late the last run of a job started after it was due (the tick before it ran long, a busy event loop)',
      labelNames: ['job'],
      registers,
    });
    this.#jobLastRun = new Gauge({
      name: 'arca_job_last_run_timestamp_seconds',
      help: 'When a job last finished a run that did not fail as a whole (Unix time)',
      labelNames: ['job'],
      aggregator: 'max',
      registers,
    });
    this.#jobFailures = new Counter({
      name: 'arca_job_failures_total',
      help: 'Job runs that failed as a whole (the store unreachable) or failed on at least one key',
      labelNames: ['job'],
      registers,
    });
    this.#commitSeconds = new Histogram({
      name: 'arca_store_transaction_duration_seconds',
      help: 'Time of one store write transaction (a SQLite group commit, the disk flush included)',
      buckets: COMMIT_SECONDS_BUCKETS,
      registers,
    });
    this.#groupSize = new Histogram({
      name: 'arca_store_group_commit_writes',
      help: 'Writes committed together in one transaction (SQLite group commit)',
      buckets: GROUP_SIZE_BUCKETS,
      registers,
    });
    if (options.perKey) {
      const keyRequestCounts = this.#keyRequestCounts;
      new Counter({
        name: 'arca_key_requests_total',
        help: 'API requests by key id, action and result code (--metrics-per-key)',
        labelNames: ['key_id', 'action', 'code'],
        registers,
        collect() {
          publish(this, keyRequestCounts);
        },
      });
    }
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** One audit event: a request of a front end, or a job's action on one key. */
  recordEvent(event: AuditEvent): void {
    if (event.source === JOB_SOURCE) {
      this.#jobActions.inc({ action: event.action ?? NO_ACTION, result: event.result });
      return;
    }
    const { source, result } = event;
    const action = this.#actionLabel(event.action);
    const seriesKey = `${source}\u0000${action}`;
    count(this.#requestCounts, `${seriesKey}\u0000${result}`, () => ({ source, action, code: result }));
    this.#requestSeconds.observe(seriesKey, () => ({ source, action }), event.durationMs / 1000);
    if (event.errorKind === 'Throttled') this.#throttledCount += 1;
    if (this.#perKey) this.#countByKey(event, action);
  }

  #countByKey(event: AuditEvent, action: string): void {
    const keyIds = new Set<string>();
    for (const resource of event.resources) if (resource.keyId !== undefined) keyIds.add(resource.keyId);
    for (const keyId of keyIds) {
      count(this.#keyRequestCounts, `${keyId}\u0000${action}\u0000${event.result}`, () => ({ key_id: keyId, action, code: event.result }));
    }
  }

  #actionLabel(action: string | undefined): string {
    if (action === undefined || action === '') return NO_ACTION;
    return this.#knownActions.has(action) ? action : OTHER_ACTION;
  }

  /** One store transaction: how many writes it committed together, and how long it took. */
  observeGroupCommit(writes: number, durationMs: number): void {
    this.#groupSize.observe(writes);
    this.#commitSeconds.observe(durationMs / 1000);
  }

  /** One run of a background job. */
  observeJobRun(run: { job: string; durationMs: number; lagMs: number; finishedAtMs: number; failed: boolean }): void {
    this.#jobRunSeconds.observe({ job: run.job }, run.durationMs / 1000);
    this.#jobLagSeconds.set({ job: run.job }, Math.max(0, run.lagMs) / 1000);
    if (run.failed) this.#jobFailures.inc({ job: run.job });
    else this.#jobLastRun.set({ job: run.job }, run.finishedAtMs / 1000);
  }

  /**
   * The keys and key versions in the store, counted at each scrape. In a cluster every worker
   * reads the same database, so the aggregate takes one worker's answer (`first`), not the sum.
   */
  watchKeyInventory(inventory: KeyInventorySource): void {
    new Gauge({
      name: 'arca_keys',
      help: 'Keys in the store by state, spec and protection level',
      labelNames: ['state', 'spec', 'protection'],
      aggregator: 'first',
      registers: [this.registry],
      async collect() {
        const counts = await inventory.countKeys();
        this.reset();
        for (const { keyState, keySpec, protectionLevel, count } of counts) {
          this.set({ state: keyState, spec: keySpec, protection: protectionLevel }, count);
        }
      },
    });
    new Gauge({
      name: 'arca_key_versions',
      help: 'Key versions in the store',
      aggregator: 'first',
      registers: [this.registry],
      async collect() {
        this.set(await inventory.countKeyVersions());
      },
    });
  }

  /** The PKCS#11 session pool of this process (each worker of a cluster has its own: summed). */
  watchSessions(sessions: () => SessionUse | undefined): void {
    new Gauge({
      name: 'arca_hsm_sessions',
      help: 'Pooled PKCS#11 sessions of the token (all but the one that owns its session objects), by use: in_use (lent to an operation) or idle',
      labelNames: ['use'],
      registers: [this.registry],
      collect() {
        const use = sessions();
        this.reset();
        if (use === undefined) return;
        this.set({ use: 'in_use' }, use.inUse);
        this.set({ use: 'idle' }, use.size - use.inUse);
      },
    });
    new Gauge({
      name: 'arca_hsm_session_waiters',
      help: 'Operations waiting for a free PKCS#11 session',
      registers: [this.registry],
      collect() {
        this.set(sessions()?.waiting ?? 0);
      },
    });
  }

  /** The prometheus text of this registry. */
  async exposition(): Promise<MetricsText> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}

/** A scrape's answer. */
export interface MetricsText {
  readonly contentType: string;
  readonly text: string;
}

/** The replay guard's live entries, in the process that holds the guard (the primary of a cluster). */
export function watchReplayGuard(registry: Registry, entries: () => number): void {
  new Gauge({
    name: 'arca_replay_guard_entries',
    help: 'Nonces the replay guard remembers (each until 15 minutes past its timestamp)',
    registers: [registry],
    collect() {
      this.set(entries());
    },
  });
}
