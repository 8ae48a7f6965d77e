// /metrics and /ready of the compiled server: what signed requests, refusals and the store show
// in the Prometheus text, that no key id, alias or access key appears in a label unless
// --metrics-per-key, that --metrics-port moves them off the API port, that a cluster's scrape
// covers every worker, and that /ready says 503 while a SIGTERM drains the server.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';

import { callAcs3, callOk, serialize, signAcs3, type Credentials } from '../support/acs3-signer.js';
import { ensureBuilt, killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

const METRICS_LINE = /arca metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

function metricsPortOf(arca: ArcaProcess): number {
  const match = arca.lines.map((line) => METRICS_LINE.exec(line)).find((found) => found !== null);
  assert.ok(match, `no metrics line in ${arca.lines.join('\n')}`);
  return Number(match[1]);
}

async function get(port: number, path: string): Promise<{ status: number; text: string; contentType: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, text: await response.text(), contentType: response.headers.get('content-type') ?? '' };
}

/** The value of the one sample `name{labels}` (labels in the order prom-client writes them), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function samplesOf(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

describe('metrics and readiness', () => {
  after(() => {
    killAllArcas();
    removeDataDirs();
  });

  it('counts requests by action and code, shows the store, and names no key, alias or principal', async () => {
    ensureBuilt();
    const credentials = randomCredentials('metrics');
    const arca = await spawnArca({ dataDir: newDataDir('arca-metrics-'), credentials, args: ['--metrics-port', '0'] });
    try {
      const port = metricsPortOf(arca);
      const { KeyMetadata } = await callOk(arca, credentials, 'CreateKey', { Description: 'metrics' });
      const keyId = KeyMetadata.KeyId as string;
      await callOk(arca, credentials, 'CreateAlias', { KeyId: keyId, AliasName: 'alias/metrics-private-name' });
      for (let n = 0; n < 3; n += 1) await callOk(arca, credentials, 'Encrypt', { KeyId: keyId, Plaintext: `secret ${n}` });
      const wrongSecret: Credentials = { accessKeyId: credentials.accessKeyId, accessKeySecret: 'not-the-secret-at-all-000000' };
      assert.equal((await callAcs3(arca, wrongSecret, 'Encrypt', { KeyId: keyId, Plaintext: 'x' })).status, 400);
      assert.equal((await callAcs3(arca, credentials, 'MadeUpActionName1234', {})).status, 404);

      const scraped = await get(port, '/metrics');
      assert.equal(scraped.status, 200);
      assert.match(scraped.contentType, /^text\/plain; version=0\.0\.4/);
      const text = scraped.text;
      assert.equal(sample(text, 'arca_requests_total{source="alibaba",action="Encrypt",code="Success"}'), 3);
      assert.equal(sample(text, 'arca_requests_total{source="alibaba",action="Encrypt",code="SignatureDoesNotMatch"}'), 1);
      assert.equal(sample(text, 'arca_requests_total{source="alibaba",action="CreateKey",code="Success"}'), 1);
      assert.equal(sample(text, 'arca_requests_total{source="alibaba",action="other",code="InvalidAction.NotFound"}'), 1);
      assert.equal(sample(text, 'arca_request_duration_seconds_count{source="alibaba",action="Encrypt"}'), 4);
      assert.equal(sample(text, 'arca_keys{state="Enabled",spec="Aliyun_AES_256",protection="SOFTWARE"}'), 1);
      assert.equal(sample(text, 'arca_key_versions'), 1);
      assert.ok((sample(text, 'arca_replay_guard_entries') ?? 0) >= 5, 'every verified nonce is remembered');
      assert.ok((sample(text, 'arca_store_group_commit_writes_count') ?? 0) >= 2, 'the key and the alias were committed');
      assert.ok((sample(text, 'process_resident_memory_bytes') ?? 0) > 0);
      assert.equal(sample(text, 'arca_rate_limit_refusals_total'), 0);
      assert.ok(sample(text, 'arca_job_last_run_timestamp_seconds{job="rotation"}'));
      for (const line of samplesOf(text)) {
        assert.doesNotMatch(line, UUID, `a key id in ${line}`);
        assert.ok(!line.includes('metrics-private-name'), `an alias in ${line}`);
        assert.ok(!line.includes(credentials.accessKeyId), `an access key in ${line}`);
      }
      assert.ok(!text.includes('MadeUpActionName1234'), 'an unknown action name is counted as other');

      // Off the API port when --metrics-port is given; /ready and /health on both.
      assert.equal((await get(arca.port, '/metrics')).status, 404);
      assert.deepEqual(JSON.parse((await get(port, '/ready')).text), {
        status: 'ready',
        checks: { store: 'ok', 'root-key': 'ok', 'replay-guard': 'ok' },
      });
      assert.equal((await get(arca.port, '/ready')).status, 200);
      assert.equal((await get(port, '/health')).status, 200);
      assert.equal((await get(port, '/other')).status, 404);
    } finally {
      await arca.stop();
    }
  });

  it('with --metrics-per-key, counts requests by key id on the API port', async () => {
    ensureBuilt();
    const credentials = randomCredentials('perkey');
    const arca = await spawnArca({ dataDir: newDataDir('arca-metrics-'), credentials, args: ['--metrics-per-key'] });
    try {
      const { KeyMetadata } = await callOk(arca, credentials, 'CreateKey', {});
      const keyId = KeyMetadata.KeyId as string;
      const { CiphertextBlob } = await callOk(arca, credentials, 'Encrypt', { KeyId: keyId, Plaintext: 'x' });
      await callOk(arca, credentials, 'Decrypt', { CiphertextBlob });
      const { status, text } = await get(arca.port, '/metrics');
      assert.equal(status, 200);
      assert.equal(sample(text, `arca_key_requests_total{key_id="${keyId}",action="Encrypt",code="Success"}`), 1);
      assert.equal(sample(text, `arca_key_requests_total{key_id="${keyId}",action="Decrypt",code="Success"}`), 1);
      assert.equal(sample(text, 'arca_requests_total{source="alibaba",action="Decrypt",code="Success"}'), 1);
    } finally {
      await arca.stop();
    }
  });

  it('with --workers 2, every scrape counts the requests of both workers', async () => {
    ensureBuilt();
    const credentials = randomCredentials('clustermetrics');
    const arca = await spawnArca({ dataDir: newDataDir('arca-metrics-'), credentials, args: ['--workers', '2'] });
    try {
      const { KeyMetadata } = await callOk(arca, credentials, 'CreateKey', {});
      const requests = 24;
      // One connection each (Connection: close): the primary hands connections to the workers in turn.
      await Promise.all(
        Array.from({ length: requests }, (_, n) => callOk(arca, credentials, 'Encrypt', { KeyId: KeyMetadata.KeyId, Plaintext: `${n}` })),
      );
      for (let scrape = 0; scrape < 4; scrape += 1) {
        const { status, text } = await get(arca.port, '/metrics');
        assert.equal(status, 200);
        assert.equal(sample(text, 'arca_requests_total{source="alibaba",action="Encrypt",code="Success"}'), requests);
        assert.equal(sample(text, 'arca_request_duration_seconds_count{source="alibaba",action="Encrypt"}'), requests);
        assert.equal(sample(text, 'arca_request_duration_seconds_bucket{le="+Inf",source="alibaba",action="Encrypt"}'), requests);
        // What both workers read from the one database is counted once, not once per worker.
        assert.equal(sample(text, 'arca_keys{state="Enabled",spec="Aliyun_AES_256",protection="SOFTWARE"}'), 1);
        assert.ok((sample(text, 'arca_replay_guard_entries') ?? 0) >= requests + 1, 'the primary adds its replay guard');
        assert.equal(sample(text, 'arca_worker_restarts_total'), 0);
      }
    } finally {
      await arca.stop();
    }
  });

  it('with --workers 2 --metrics-port, the primary serves the whole cluster and its own readiness', async () => {
    ensureBuilt();
    const credentials = randomCredentials('clusterops');
    const arca = await spawnArca({ dataDir: newDataDir('arca-metrics-'), credentials, args: ['--workers', '2', '--metrics-port', '0'] });
    try {
      const port = metricsPortOf(arca);
      const { KeyMetadata } = await callOk(arca, credentials, 'CreateKey', {});
      const requests = 12;
      await Promise.all(
        Array.from({ length: requests }, (_, n) => callOk(arca, credentials, 'Encrypt', { KeyId: KeyMetadata.KeyId, Plaintext: `${n}` })),
      );
      const { status, text } = await get(port, '/metrics');
      assert.equal(status, 200);
      assert.equal(sample(text, 'arca_requests_total{source="alibaba",action="Encrypt",code="Success"}'), requests);
      assert.equal((await get(arca.port, '/metrics')).status, 404, 'not on the API port');
      assert.deepEqual(JSON.parse((await get(port, '/ready')).text), { status: 'ready', checks: { 'replay-guard': 'ok', workers: 'ok' } });
    } finally {
      await arca.stop();
    }
  });

  it('/ready answers 503 while a SIGTERM drains the server, and the request in flight still succeeds', async () => {
    ensureBuilt();
    const credentials = randomCredentials('ready');
    const arca = await spawnArca({ dataDir: newDataDir('arca-ready-'), credentials, args: ['--metrics-port', '0'] });
    const port = metricsPortOf(arca);
    assert.equal((await get(port, '/ready')).status, 200);
    const slow = serialize(signAcs3({ credentials, host: arca.endpoint, action: 'CreateKey', form: { Description: 'in flight' } }));
    let release = (): void => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const answer = new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: arca.port });
      const parts: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => parts.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(parts).toString('utf8')));
      socket.write(slow.subarray(0, slow.length - 5), () => void released.then(() => socket.write(slow.subarray(slow.length - 5))));
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    arca.child.kill('SIGTERM');
    let draining: { status: number; text: string } | undefined;
    for (let attempt = 0; attempt < 50 && draining === undefined; attempt += 1) {
      const ready = await get(port, '/ready');
      if (ready.status === 503) draining = ready;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(draining, '/ready never answered 503 after SIGTERM');
    assert.equal(JSON.parse(draining.text).status, 'draining');
    assert.equal((await get(port, '/health')).status, 200, 'still alive while draining');
    release();
    assert.match(await answer, /^HTTP\/1\.1 200 /);
    assert.deepEqual(await arca.exited, { code: 0, signal: null }, arca.stderr());
  });
});
