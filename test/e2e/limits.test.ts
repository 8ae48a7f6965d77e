// Request size limits at their exact boundaries, and the per-access-key rate limit of the compiled
// server (`arca server --rate-limit … --rate-limit-burst …`) answering 429 Rejected.Throttling.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
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

/** A raw connection that writes `head` and `bodyBytes` of a body, then stalls; it records what the server answers and when it closes. */
interface StalledConnection {
  readonly socket: Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves when the connection is closed, with the ms since it was opened. */
  readonly closed: Promise<number>;
  isClosed(): boolean;
}

function stall(port: number, head: string, bodyBytes: number): Promise<StalledConnection> {
  return new Promise((resolve) => {
    const opened = performance.now();
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    let isClosed = false;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined);
    const closed = new Promise<number>((done) =>
      socket.once('close', () => {
        isClosed = true;
        done(performance.now() - opened);
      }),
    );
    const connection: StalledConnection = { socket, received: () => text, closed, isClosed: () => isClosed };
    socket.once('connect', () => {
      socket.write(head);
      if (bodyBytes === 0) resolve(connection);
      else socket.write(Buffer.alloc(bodyBytes, 0x61), () => resolve(connection));
    });
    // A connection the server drops at once (over --max-connections) never finishes its write.
    void closed.then(() => resolve(connection));
  });
}

function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

const postHead = (endpoint: string, contentLength: number) =>
  `POST / HTTP/1.1\r\nhost: ${endpoint}\r\ncontent-type: application/octet-stream\r\ncontent-length: ${contentLength}\r\n\r\n`;

describe('slow and idle connections (--request-timeout 2s --headers-timeout 1s --keep-alive-timeout 1s --max-connections 20)', () => {
  const credentials = randomCredentials('slow');
  let arca: ArcaProcess;

  before(async () => {
    ensureBuilt();
    arca = await spawnArca({
      dataDir: newDataDir('arca-slow-'),
      credentials,
      env: { ARCA_LOG_LEVEL: 'warn' },
      args: ['--request-timeout', '2s', '--headers-timeout', '1s', '--keep-alive-timeout', '1s', '--max-connections', '20'],
    });
  });

  after(async () => {
    await arca?.stop();
    killAllArcas();
    removeDataDirs();
  });

  it('600 connections stalled inside 256 KiB bodies: at most 20 are held, each for about 2 s, answered 408 RequestTimeout; the memory held stays bounded', async () => {
    const pid = arca.child.pid ?? assert.fail('no pid');
    const rssBefore = rssMbOf(pid);
    const connections: StalledConnection[] = [];
    for (let i = 0; i < 600; i += 1) connections.push(await stall(arca.port, postHead(arca.endpoint, 256 * KIB), 250 * KIB));
    const rssHolding = rssMbOf(pid);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const held = connections.filter((connection) => !connection.isClosed());
    assert.ok(held.length <= 20, `${held.length} connections held`);
    assert.ok(held.length >= 1, 'the server held none');
    const lifetimes = await Promise.all(held.map((connection) => connection.closed));
    // 2 s, checked every 500 ms, and a loaded machine.
    for (const lifetimeMs of lifetimes) assert.ok(lifetimeMs < 2_000 + 3_000, `held for ${lifetimeMs} ms`);
    for (const connection of held) {
      const answer = connection.received();
      assert.match(answer, /^HTTP\/1\.1 408 /, answer.slice(0, 200));
      assert.match(answer, /"Code":"RequestTimeout"/);
      assert.match(answer, /x-acs-request-id: [0-9a-f-]{36}/i);
    }
    // Unbounded, 600 bodies of 250 KiB held about 150 MB; here at most 20 are (5 MB) and the rest
    // are closed before they are read.
    assert.ok(rssHolding - rssBefore < 60, `RSS rose from ${rssBefore.toFixed(1)} to ${rssHolding.toFixed(1)} MB`);
    assert.equal((await callAcs3(arca, credentials, 'DescribeRegions')).status, 200);
  });

  it('a connection that stalls inside its headers is answered 408 RequestTimeout and closed after about 1 s', async () => {
    const connection = await stall(arca.port, `POST / HTTP/1.1\r\nhost: ${arca.endpoint}\r\nx-acs-date: 2026`, 0);
    const lifetimeMs = await connection.closed;
    assert.ok(lifetimeMs >= 900 && lifetimeMs < 1_000 + 3_000, `held for ${lifetimeMs} ms`);
    assert.match(connection.received(), /^HTTP\/1\.1 408 [\s\S]*"Code":"RequestTimeout"/);
  });

  it('an idle keep-alive connection is closed after about 1 s', async () => {
    const prepared = signAcs3({ credentials, host: arca.endpoint, action: 'DescribeRegions' });
    const head = `${prepared.method} ${prepared.path} HTTP/1.1\r\n${Object.entries({ ...prepared.headers, 'content-length': '0' })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')}\r\n`;
    const connection = await stall(arca.port, head, 0);
    const lifetimeMs = await connection.closed;
    assert.match(connection.received(), /^HTTP\/1\.1 200 /);
    assert.ok(lifetimeMs >= 900 && lifetimeMs < 1_000 + 3_000, `held for ${lifetimeMs} ms`);
  });

  it('3,000 tiny headers (within 64 KiB) are refused with 413 InvalidParameter.RequestTooLarge', async () => {
    const prepared = signAcs3({ credentials, host: arca.endpoint, action: 'DescribeRegions' });
    for (let i = 0; i < 3_000; i += 1) prepared.headers[`h${i}`] = '';
    assertCode(await sendRaw(arca, serialize(prepared)), 413, 'InvalidParameter.RequestTooLarge');
  });
});
