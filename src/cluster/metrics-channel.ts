import { AggregatorRegistry, Counter, Registry } from 'prom-client';
import { watchReplayGuard, type MetricsText } from '../metrics/arca-metrics.js';

// `/metrics` of a cluster. Each worker keeps its own registry; prom-client's AggregatorRegistry in
// the primary asks every worker for it over the cluster's IPC channel and merges them (counters
// and histograms summed, each gauge by the aggregator it declares: `first` for what every worker
// reads from the one database). The primary adds its own registry: the replay guard it holds,
// the workers it replaced. A worker that gets a scrape on the shared port asks the primary for
// that whole text, so any worker's answer covers all of them.

export interface MetricsRequest {
  readonly type: 'metrics-request';
  readonly id: number;
}

export type MetricsAnswer =
  | { readonly type: 'metrics-answer'; readonly id: number; readonly contentType: string; readonly text: string }
  | { readonly type: 'metrics-answer'; readonly id: number; readonly error: string };

export function isMetricsRequest(message: unknown): message is MetricsRequest {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Partial<Record<keyof MetricsRequest, unknown>>;
  return m.type === 'metrics-request' && typeof m.id === 'number';
}

function isMetricsAnswer(message: unknown): message is MetricsAnswer {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as { type?: unknown; id?: unknown };
  return m.type === 'metrics-answer' && typeof m.id === 'number';
}

/** The primary's side: every worker's registry merged, then the primary's own. */
export class ClusterMetrics {
  readonly #aggregator = new AggregatorRegistry();
  readonly #own = new Registry();
  readonly #restarts: Counter;

  constructor(replayGuardEntries: () => number) {
    watchReplayGuard(this.#own, replayGuardEntries);
    this.#restarts = new Counter({
      name: 'arca_worker_restarts_total',
      help: 'Workers that died and were replaced (--workers)',
      registers: [this.#own],
    });
  }

  workerRestarted(): void {
    this.#restarts.inc();
  }

  /** The whole cluster's text; rejects when a worker does not answer in time (prom-client: 5 s). */
  async gather(): Promise<MetricsText> {
    const workers = await this.#aggregator.clusterMetrics();
    const own = await this.#own.metrics();
    return { contentType: this.#aggregator.contentType, text: `${workers}${workers.endsWith('\n') || workers === '' ? '' : '\n'}${own}` };
  }

  /** The answer to a worker's request. */
  async answer(request: MetricsRequest): Promise<MetricsAnswer> {
    try {
      const { contentType, text } = await this.gather();
      return { type: 'metrics-answer', id: request.id, contentType, text };
    } catch (error) {
      return { type: 'metrics-answer', id: request.id, error: error instanceof Error ? error.message : String(error) };
    }
  }
}

/** How long a worker waits for the primary's whole text: a little longer than prom-client's own 5 s. */
const ANSWER_TIMEOUT_MS = 6000;

/**
 * A worker's side. `offer` makes the worker's registry the one prom-client hands the primary;
 * `gather` asks the primary for the cluster's text.
 */
export class RemoteClusterMetrics {
  readonly #send: (message: MetricsRequest) => boolean;
  readonly #pending = new Map<number, { resolve: (text: MetricsText) => void; reject: (error: Error) => void }>();
  #nextId = 1;

  /** `send` returns false when there is no primary to send to. */
  constructor(send: (message: MetricsRequest) => boolean) {
    this.#send = send;
  }

  static offer(registry: Registry): void {
    AggregatorRegistry.setRegistries([registry]);
    // Constructing one installs prom-client's answering listener in this worker.
    new AggregatorRegistry();
  }

  receive(message: unknown): void {
    if (!isMetricsAnswer(message)) return;
    const waiting = this.#pending.get(message.id);
    if (waiting === undefined) return;
    this.#pending.delete(message.id);
    if ('error' in message) waiting.reject(new Error(message.error));
    else waiting.resolve({ contentType: message.contentType, text: message.text });
  }

  gather(): Promise<MetricsText> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.#pending.delete(id)) reject(new Error('the primary did not answer with the metrics in time'));
      }, ANSWER_TIMEOUT_MS);
      timer.unref();
      this.#pending.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      if (!this.#send({ type: 'metrics-request', id })) {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(new Error('no primary'));
      }
    });
  }
}
