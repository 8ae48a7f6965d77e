// The metrics as the audit events, the store, the jobs and the token feed them: bounded labels,
// per-key series only when asked, and the sink that hands every event on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { AuditEvent } from '../../src/domain/audit-event.js';
import { ArcaMetrics } from '../../src/metrics/arca-metrics.js';
import { MetricsAuditSink } from '../../src/metrics/metrics-audit-sink.js';

const KEY_ID = '0b3d3c2e-8d2f-4b7e-9a55-0c4bd7d2a001';

function event(overrides: Partial<AuditEvent>): AuditEvent {
  return {
    eventId: 'e',
    eventTime: 0,
    source: 'alibaba',
    requestId: 'r',
    action: 'Encrypt',
    identity: { type: 'access-key', principal: 'acs:ram::1:root', accessKeyId: 'LTAIprincipal0001' },
    resources: [{ role: 'key', arn: `acs:kms:cn-hangzhou:1:key/${KEY_ID}`, keyId: KEY_ID, aliasName: 'alias/private' }],
    result: 'Success',
    durationMs: 2,
    ...overrides,
  };
}

function metrics(perKey = false): ArcaMetrics {
  return new ArcaMetrics({ knownActions: new Set(['Encrypt', 'Decrypt']), perKey, processMetrics: false });
}

async function text(of: ArcaMetrics): Promise<string> {
  return (await of.exposition()).text;
}

function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('ArcaMetrics', () => {
  it('counts requests by front end, action and code, with their latency', async () => {
    const m = metrics();
    m.recordEvent(event({}));
    m.recordEvent(event({ durationMs: 300 }));
    m.recordEvent(event({ result: 'Forbidden.KeyNotFound', errorKind: 'KeyNotFound' }));
    const t = await text(m);
    assert.equal(sample(t, 'arca_requests_total{source="alibaba",action="Encrypt",code="Success"}'), 2);
    assert.equal(sample(t, 'arca_requests_total{source="alibaba",action="Encrypt",code="Forbidden.KeyNotFound"}'), 1);
    assert.equal(sample(t, 'arca_request_duration_seconds_count{source="alibaba",action="Encrypt"}'), 3);
    assert.equal(sample(t, 'arca_request_duration_seconds_bucket{le="0.0025",source="alibaba",action="Encrypt"}'), 2);
    assert.equal(sample(t, 'arca_request_duration_seconds_bucket{le="0.5",source="alibaba",action="Encrypt"}'), 3);
  });

  it('an action name outside the tables is counted as other, a request naming none as none', async () => {
    const m = metrics();
    for (let n = 0; n < 50; n += 1) m.recordEvent(event({ action: `Invented${n}`, result: 'InvalidAction.NotFound' }));
    m.recordEvent(event({ action: undefined, result: 'MissingAction' }));
    const t = await text(m);
    assert.equal(sample(t, 'arca_requests_total{source="alibaba",action="other",code="InvalidAction.NotFound"}'), 50);
    assert.equal(sample(t, 'arca_requests_total{source="alibaba",action="none",code="MissingAction"}'), 1);
    assert.ok(!t.includes('Invented'));
  });

  it('never puts a key id, alias, access key or principal in a label without perKey', async () => {
    const m = metrics();
    m.recordEvent(event({}));
    const t = await text(m);
    for (const secretish of [KEY_ID, 'alias/private', 'LTAIprincipal0001', 'acs:ram']) assert.ok(!t.includes(secretish), secretish);
  });

  it('with perKey, counts each key a request named once', async () => {
    const m = metrics(true);
    const twice = event({});
    m.recordEvent({ ...twice, resources: [...twice.resources, ...twice.resources] });
    const t = await text(m);
    assert.equal(sample(t, `arca_key_requests_total{key_id="${KEY_ID}",action="Encrypt",code="Success"}`), 1);
    assert.ok(!t.includes('alias/private'), 'per key, not per alias');
  });

  it('counts rate-limit refusals and the jobs’ actions by result', async () => {
    const m = metrics();
    m.recordEvent(event({ result: 'Rejected.Throttling', errorKind: 'Throttled' }));
    m.recordEvent(event({ source: 'job', action: 'RotateKey', result: 'Success' }));
    m.recordEvent(event({ source: 'job', action: 'RotateKey', result: 'Skipped' }));
    m.recordEvent(event({ source: 'job', action: 'DeleteKey', result: 'Success' }));
    const t = await text(m);
    assert.equal(sample(t, 'arca_rate_limit_refusals_total'), 1);
    assert.equal(sample(t, 'arca_job_actions_total{action="RotateKey",result="Success"}'), 1);
    assert.equal(sample(t, 'arca_job_actions_total{action="RotateKey",result="Skipped"}'), 1);
    assert.equal(sample(t, 'arca_job_actions_total{action="DeleteKey",result="Success"}'), 1);
    assert.equal(sample(t, 'arca_requests_total{source="job",action="RotateKey",code="Success"}'), undefined, 'jobs are not requests');
  });

  it('records job runs, group commits, the inventory and the sessions', async () => {
    const m = metrics();
    m.observeJobRun({ job: 'rotation', durationMs: 20, lagMs: 1500, finishedAtMs: 1_700_000_000_000, failed: false });
    m.observeJobRun({ job: 'deletion', durationMs: 5, lagMs: -1, finishedAtMs: 1_700_000_000_000, failed: true });
    m.observeGroupCommit(7, 3);
    m.watchKeyInventory({
      countKeys: () =>
        Promise.resolve([
          { keyState: 'Enabled', keySpec: 'Aliyun_AES_256', protectionLevel: 'SOFTWARE', count: 4 },
          { keyState: 'PendingDeletion', keySpec: 'Aliyun_SM4', protectionLevel: 'HSM', count: 1 },
        ]),
      countKeyVersions: () => Promise.resolve(9),
    });
    m.watchSessions(() => ({ size: 8, inUse: 3, waiting: 2 }));
    const t = await text(m);
    assert.equal(sample(t, 'arca_job_run_duration_seconds_count{job="rotation"}'), 1);
    assert.equal(sample(t, 'arca_job_lag_seconds{job="rotation"}'), 1.5);
    assert.equal(sample(t, 'arca_job_lag_seconds{job="deletion"}'), 0);
    assert.equal(sample(t, 'arca_job_last_run_timestamp_seconds{job="rotation"}'), 1_700_000_000);
    assert.equal(sample(t, 'arca_job_last_run_timestamp_seconds{job="deletion"}'), undefined, 'a failed run is not a last success');
    assert.equal(sample(t, 'arca_job_failures_total{job="deletion"}'), 1);
    assert.equal(sample(t, 'arca_store_group_commit_writes_sum'), 7);
    assert.equal(sample(t, 'arca_store_transaction_duration_seconds_bucket{le="0.005"}'), 1);
    assert.equal(sample(t, 'arca_keys{state="Enabled",spec="Aliyun_AES_256",protection="SOFTWARE"}'), 4);
    assert.equal(sample(t, 'arca_keys{state="PendingDeletion",spec="Aliyun_SM4",protection="HSM"}'), 1);
    assert.equal(sample(t, 'arca_key_versions'), 9);
    assert.equal(sample(t, 'arca_hsm_sessions{use="in_use"}'), 3);
    assert.equal(sample(t, 'arca_hsm_sessions{use="idle"}'), 5);
    assert.equal(sample(t, 'arca_hsm_session_waiters'), 2);
  });

  it('a key state that empties leaves the gauge at each scrape', async () => {
    const m = metrics();
    let rows = [{ keyState: 'PendingDeletion', keySpec: 'Aliyun_AES_256', protectionLevel: 'SOFTWARE', count: 1 }];
    m.watchKeyInventory({ countKeys: () => Promise.resolve(rows), countKeyVersions: () => Promise.resolve(0) });
    assert.equal(sample(await text(m), 'arca_keys{state="PendingDeletion",spec="Aliyun_AES_256",protection="SOFTWARE"}'), 1);
    rows = [];
    assert.equal(sample(await text(m), 'arca_keys{state="PendingDeletion",spec="Aliyun_AES_256",protection="SOFTWARE"}'), undefined);
  });

  it('process metrics when asked for', async () => {
    const m = new ArcaMetrics({ knownActions: new Set(), perKey: false, processMetrics: true });
    const t = await text(m);
    assert.ok((sample(t, 'process_resident_memory_bytes') ?? 0) > 0);
    assert.match(t, /^nodejs_eventloop_lag_seconds /m);
  });
});

describe('MetricsAuditSink', () => {
  it('counts the event and hands it on unchanged', async () => {
    const m = metrics();
    const received: AuditEvent[] = [];
    const sink = new MetricsAuditSink(m, { emit: (e) => received.push(e) });
    const sent = event({});
    sink.emit(sent);
    assert.deepEqual(received, [sent]);
    assert.equal(sample(await text(m), 'arca_requests_total{source="alibaba",action="Encrypt",code="Success"}'), 1);
  });
});
