// docs/grafana/arca-dashboard.json is built on the metrics Arca serves: every series a panel
// queries is one that a server's registry (and a cluster primary's) has, and no panel needs the
// per-key series of --metrics-per-key.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { knownActionNames } from '../../src/bootstrap/observability.js';
import { ClusterMetrics } from '../../src/cluster/metrics-channel.js';
import { ArcaMetrics, watchReplayGuard } from '../../src/metrics/arca-metrics.js';

interface Panel {
  readonly type: string;
  readonly title: string;
  readonly targets?: ReadonlyArray<{ readonly expr: string }>;
}

const dashboard = JSON.parse(readFileSync(new URL('../../docs/grafana/arca-dashboard.json', import.meta.url), 'utf8')) as {
  panels: Panel[];
  uid: string;
};

/** Every series name a server can expose: each metric's name, and a histogram's three series. */
async function servedNames(): Promise<Set<string>> {
  const metrics = new ArcaMetrics({ knownActions: knownActionNames(), perKey: false, processMetrics: true });
  metrics.watchKeyInventory({ countKeys: () => Promise.resolve([]), countKeyVersions: () => Promise.resolve(0) });
  metrics.watchSessions(() => ({ size: 2, inUse: 0, waiting: 0 }));
  watchReplayGuard(metrics.registry, () => 0);
  const primary = new ClusterMetrics(() => 0);
  const names = new Set<string>(['up']);
  const primaryText = await primary.gather();
  for (const line of primaryText.text.split('\n')) if (line.startsWith('# TYPE ')) names.add(line.split(' ')[2] ?? '');
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

describe('the Grafana dashboard', () => {
  const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));

  it('has panels for the requests, keys, jobs, store, replay guard, HSM and the process', () => {
    assert.equal(dashboard.uid, 'arca-kms');
    assert.ok(queries.length >= 20);
    for (const needed of [
      'arca_requests_total',
      'arca_request_duration_seconds_bucket',
      'arca_keys',
      'arca_key_versions',
      'arca_job_actions_total',
      'arca_job_lag_seconds',
      'arca_replay_guard_entries',
      'arca_rate_limit_refusals_total',
      'arca_store_transaction_duration_seconds_bucket',
      'arca_store_group_commit_writes_sum',
      'arca_hsm_sessions',
      'process_cpu_seconds_total',
    ]) {
      assert.ok(
        queries.some(({ expr }) => expr.includes(needed)),
        `no panel shows ${needed}`,
      );
    }
  });

  it('queries only series Arca serves, and none per key', async () => {
    const served = await servedNames();
    for (const { panel, expr } of queries) {
      const names = expr.match(/\b(arca|process|nodejs)_[a-z0-9_]+\b/g) ?? [];
      for (const name of names) assert.ok(served.has(name), `${panel}: ${name} is not served`);
      assert.ok(!expr.includes('key_id') && !expr.includes('arca_key_requests_total'), `${panel} needs --metrics-per-key`);
    }
  });
});
