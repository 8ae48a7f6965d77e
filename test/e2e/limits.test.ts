// Request size limits at their exact boundaries, and the per-access-key rate limit of the compiled
// server (`arca server --rate-limit … --rate-limit-burst …`) answering 429 Rejected.Throttling.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import { MAX_BODY_BYTES } from '../../src/api/server.js';
import { callAcs3, send, sendRaw, serialize, signAcs3, type HttpResponse } from '../support/acs3-signer.js';
import { CLI, ensureBuilt, killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { v3Caller } from '../support/clients.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';
import { TEST_CREDENTIALS } from '../support/environment.js';
import { startTestServer, type TestServer } from '../support/server.js';

const KIB = 1024;

function assertCode(response: HttpResponse, status: number, code: string): void {
  assert.equal(response.status, status, response.text.slice(0, 300));
  assert.equal(response.json?.Code, code, response.text.slice(0, 300));
  assert.equal(typeof response.json?.RequestId, 'string');
  assert.equal(response.headers['x-acs-request-id'], response.json.RequestId);
}

describe('request size limits', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });

  after(async () => {
    await server?.close();
  });

  /** A signed opaque body of exactly `size` bytes (DescribeRegions ignores it). */
  const bodyOf = (size: number) =>
    signAcs3({
      credentials: TEST_CREDENTIALS,
      host: server.endpoint,
      action: 'DescribeRegions',
      body: Buffer.alloc(size, 0x61),
      contentType: 'application/octet-stream',
    });

  it(`a body of exactly ${MAX_BODY_BYTES} bytes (256 KiB) is read and the request served`, async () => {
    assert.equal((await send(server, bodyOf(MAX_BODY_BYTES))).status, 200);
  });

  it('a body one byte over 256 KiB is refused with 413 InvalidParameter.RequestTooLarge, with or without Content-Length', async () => {
    assertCode(await send(server, bodyOf(MAX_BODY_BYTES + 1)), 413, 'InvalidParameter.RequestTooLarge');
    assertCode(await send(server, bodyOf(MAX_BODY_BYTES + 1), { chunks: 8 }), 413, 'InvalidParameter.RequestTooLarge');
  });

  it('headers of 60 KiB in all are served; 66 KiB are refused with 413 InvalidParameter.RequestTooLarge', async () => {
    const withPadding = (kib: number) => {
      const prepared = signAcs3({ credentials: TEST_CREDENTIALS, host: server.endpoint, action: 'DescribeRegions' });
      for (let i = 0; i < kib; i += 1) prepared.headers[`x-pad-${i}`] = 'p'.repeat(KIB - 12);
      return prepared;
    };
    assert.equal((await send(server, withPadding(60))).status, 200);
    assertCode(await sendRaw(server, serialize(withPadding(66))), 413, 'InvalidParameter.RequestTooLarge');
  });

  it('the server keeps serving after requests at and over every limit', async () => {
    assert.equal((await callAcs3(server, TEST_CREDENTIALS, 'DescribeRegions')).status, 200);
  });
});

describe('per-access-key rate limit (arca server --rate-limit 5 --rate-limit-burst 5)', () => {
  const credentials = randomCredentials('rate');
  let arca: ArcaProcess;

  before(async () => {
    ensureBuilt();
    arca = await spawnArca({ dataDir: newDataDir('arca-rate-'), credentials, args: ['--rate-limit', '5', '--rate-limit-burst', '5'] });
  });

  after(async () => {
    await arca?.stop();
    killAllArcas();
    removeDataDirs();
  });

  it('a burst of 30 requests at once: at most the burst plus what 5/s earns meanwhile succeed, the rest are 429 Rejected.Throttling', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1200)); // a full bucket
    const started = Date.now();
    const responses = await Promise.all(Array.from({ length: 30 }, () => callAcs3(arca, credentials, 'DescribeRegions')));
    const elapsedS = (Date.now() - started) / 1000;
    const ok = responses.filter((r) => r.status === 200).length;
    const throttled = responses.filter((r) => r.status === 429);
    assert.ok(ok >= 5, `${ok} succeeded; the burst is 5`);
    assert.ok(ok <= 5 + Math.ceil(elapsedS * 5) + 1, `${ok} succeeded in ${elapsedS} s`);
    assert.equal(ok + throttled.length, 30, JSON.stringify(responses.map((r) => r.status)));
    for (const response of throttled) {
      assertCode(response, 429, 'Rejected.Throttling');
      assert.equal(response.json.Message, 'Request was denied due to request throttling.');
    }
  });

  it('requests that fail their signature spend no tokens: the key owner still gets its burst', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const forged = { ...credentials, accessKeySecret: 'not-the-secret' };
    const refused = await Promise.all(Array.from({ length: 20 }, () => callAcs3(arca, forged, 'DescribeRegions')));
    for (const response of refused) assertCode(response, 400, 'SignatureDoesNotMatch');
    const own = await Promise.all(Array.from({ length: 5 }, () => callAcs3(arca, credentials, 'DescribeRegions')));
    assert.deepEqual(
      own.map((r) => r.status),
      [200, 200, 200, 200, 200],
    );
  });

  it('the 3.x SDK sees the refusal as a ThrottlingError with code Rejected.Throttling and status 429', async () => {
    const call = v3Caller(arca, { credentials });
    let thrown: any;
    for (let i = 0; i < 20 && thrown === undefined; i += 1) {
      try {
        await call('DescribeRegions', {});
      } catch (error) {
        thrown = error;
      }
    }
    assert.ok(thrown, 'no call was throttled');
    assert.equal(thrown.code, 'Rejected.Throttling');
    assert.equal(thrown.statusCode, 429);
    assert.equal(thrown.name, 'ThrottlingError');
  });

  it('refuses a rate that is not a positive number, and a burst without a rate', () => {
    for (const args of [
      ['--rate-limit', '0'],
      ['--rate-limit', '-1'],
      ['--rate-limit', 'fast'],
      ['--rate-limit', '5', '--rate-limit-burst', '0'],
      ['--rate-limit-burst', '5'],
    ]) {
      const result = spawnSync(process.execPath, [CLI, 'server', '--port', '0', '--data-dir', newDataDir('arca-rate-bad-'), ...args], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.notEqual(result.status, 0, `${args.join(' ')} was accepted`);
      assert.match(result.stderr, /rate|burst/, result.stderr);
    }
  });
});
