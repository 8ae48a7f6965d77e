import type { Metric, Registry } from 'prom-client';

/** One series: its labels, the count in each bucket (not cumulative; the last is +Inf), the sum. */
interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

interface HistogramValue {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName: string;
}

/**
 * A Prometheus histogram whose observation is a Map lookup and three additions: prom-client's own
 * `Histogram.observe` validates and hashes its labels on every call (about a microsecond, measured
 * beside this in docs/adr/0032), which on the request path would cost as much as a tenth of
 * Encrypt's own work. The cumulative buckets are built only when scraped, in the form
 * prom-client's registry writes and its AggregatorRegistry sums (`_bucket` with `le`, `_sum`,
 * `_count`), so a cluster's workers aggregate like any prom-client histogram.
 */
export class LatencyHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, Series>();

  constructor(options: { name: string; help: string; buckets: readonly number[]; registry: Registry }) {
    this.name = options.name;
    this.help = options.help;
    this.#bounds = [...options.buckets].sort((a, b) => a - b);
    // The registry takes any object that answers get() (AggregatorRegistry registers such objects
    // itself); its type names only prom-client's four classes, hence the cast.
    options.registry.registerMetric(this as unknown as Metric);
  }

  /** `key` identifies the series (the label values joined); `labels` are used once, when it is new. */
  observe(key: string, labels: () => Record<string, string>, seconds: number): void {
    let series = this.#series.get(key);
    if (series === undefined) {
      series = { labels: labels(), counts: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    let bucket = 0;
    while (bucket < this.#bounds.length && seconds > (this.#bounds[bucket] ?? Infinity)) bucket += 1;
    series.counts[bucket] = (series.counts[bucket] ?? 0) + 1;
    series.sum += seconds;
    series.count += 1;
  }

  reset(): void {
    this.#series.clear();
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: HistogramValue[] }> {
    const values: HistogramValue[] = [];
    for (const { labels, counts, sum, count } of this.#series.values()) {
      let cumulative = 0;
      this.#bounds.forEach((bound, index) => {
        cumulative += counts[index] ?? 0;
        values.push({ labels: { le: bound, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...labels }, value: count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...labels }, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...labels }, value: count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}
