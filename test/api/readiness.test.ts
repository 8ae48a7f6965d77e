// GET /ready: a list of named checks, 503 until each passes and while draining; GET /health stays
// liveness; GET /metrics counts what the pipeline's audit events say, refusals included.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Readiness } from '../../src/api/readiness.js';
import { knownActionNames } from '../../src/bootstrap/observability.js';
import { ArcaMetrics } from '../../src/metrics/arca-metrics.js';
import { createInjectApi } from '../support/inject-api.js';

describe('Readiness', () => {
  it('is pending until every declared check is provided, then ready', async () => {
    const readiness = new Readiness(['store', 'replay-guard']);
    assert.deepEqual(await readiness.report(), { ready: false, draining: false, checks: { store: 'pending', 'replay-guard': 'pending' } });
    readiness.provide({ name: 'store', check: () => true });
    assert.equal((await readiness.report()).ready, false);
    readiness.provide({ name: 'replay-guard', check: () => Promise.resolve(true) });
    assert.deepEqual(await readiness.report(), { ready: true, draining: false, checks: { store: 'ok', 'replay-guard': 'ok' } });
  });

  it('a check that answers false or rejects is failing', async () => {
    const readiness = new Readiness();
    readiness.provide({ name: 'store', check: () => Promise.reject(new Error('database is closed')) });
    readiness.provide({ name: 'hsm', check: () => false });
    readiness.provide({ name: 'database', check: () => true });
    assert.deepEqual(await readiness.report(), {
      ready: false,
      draining: false,
      checks: { store: 'failing', hsm: 'failing', database: 'ok' },
    });
  });

  it('is not ready while draining, whatever the checks say', async () => {
    const readiness = new Readiness();
    readiness.provide({ name: 'store', check: () => true });
    readiness.startDraining();
    assert.deepEqual(await readiness.report(), { ready: false, draining: true, checks: { store: 'ok' } });
  });
});

describe('GET /ready, /health and /metrics of the API', () => {
  it('/ready answers 503 with each check until ready, 200 then, 503 draining; /health 200 throughout', async () => {
    const readiness = new Readiness(['store']);
    const api = await createInjectApi({ readiness });
    const ready = async () => {
      const response = await api.app.inject({ method: 'GET', url: '/ready' });
      return { status: response.statusCode, body: response.json<unknown>() };
    };
    assert.deepEqual(await ready(), { status: 503, body: { status: 'not ready', checks: { store: 'pending' } } });
    assert.equal((await api.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
    readiness.provide({ name: 'store', check: () => true });
    assert.deepEqual(await ready(), { status: 200, body: { status: 'ready', checks: { store: 'ok' } } });
    readiness.startDraining();
    assert.deepEqual(await ready(), { status: 503, body: { status: 'draining', checks: { store: 'ok' } } });
    assert.equal((await api.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  });

  it('/metrics counts signed requests and throttled ones from their audit events, and is not itself audited', async () => {
    const metrics = new ArcaMetrics({ knownActions: knownActionNames(), perKey: false, processMetrics: false });
    const api = await createInjectApi({ metrics, rateLimit: { requestsPerSecond: 1, burst: 2 } });
    const statuses = [];
    for (let n = 0; n < 4; n += 1) statuses.push((await api.call('DescribeRegions')).statusCode);
    assert.deepEqual(statuses, [200, 200, 429, 429]);
    const events = api.auditEvents.length;
    const response = await api.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
    assert.match(response.body, /^arca_requests_total\{source="alibaba",action="DescribeRegions",code="Success"\} 2$/m);
    assert.match(response.body, /^arca_requests_total\{source="alibaba",action="DescribeRegions",code="Rejected.Throttling"\} 2$/m);
    assert.match(response.body, /^arca_rate_limit_refusals_total 2$/m);
    assert.equal(api.auditEvents.length, events, 'a scrape is no API request');
  });

  it('without metrics, /metrics is no route of the API', async () => {
    const api = await createInjectApi();
    assert.equal((await api.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
  });
});
