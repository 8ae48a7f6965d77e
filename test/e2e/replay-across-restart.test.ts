// A signed request may be replayed for 15 minutes either side of its timestamp, and the replay
// guard's memory lives in the process. These tests restart servers on one data directory: a
// graceful close saves the guard to <data-dir>/replay-guard.snapshot and the next start restores
// it; a start after a crash (no snapshot) refuses requests signed before it; a brand-new data
// directory has nothing to remember and restricts nothing.
import assert from 'node:assert/strict';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { pino } from 'pino';

import { DEFAULT_CONFIG } from '../../src/config/arca-config.js';
import { startServer } from '../../src/main.js';

import { send, signAcs3, type Credentials, type HttpResponse, type PreparedRequest } from '../support/acs3-signer.js';
import { newDataDir as newTempDir, removeDataDirs } from '../support/data-dirs.js';
import { TEST_CREDENTIALS, testEnvironment } from '../support/environment.js';
import { startTestServer, TEST_ACCOUNT_ID, TEST_REGION, type TestServer } from '../support/server.js';

const credentials: Credentials = TEST_CREDENTIALS;
const MINUTE_MS = 60_000;
const SNAPSHOT_FILE = 'replay-guard.snapshot';

describe('replays across a restart', () => {
  const running = new Set<TestServer>();

  function newDataDir(): string {
    return newTempDir('arca-replay-restart-');
  }

  async function start(dataDir: string): Promise<TestServer> {
    const server = await startTestServer({ dataDir });
    running.add(server);
    return server;
  }

  /** A graceful stop (what SIGTERM does): the replay guard is saved in the data directory. */
  async function stop(server: TestServer): Promise<void> {
    running.delete(server);
    await server.close({ keepData: true });
  }

  /** A stop that leaves no snapshot behind, as a crash or SIGKILL would. */
  async function crash(server: TestServer): Promise<void> {
    await stop(server);
    rmSync(join(server.dataDir, SNAPSHOT_FILE), { force: true });
  }

  function request(server: TestServer, dateMs: number = Date.now()): PreparedRequest {
    return signAcs3({ credentials, host: server.endpoint, action: 'ListKeys', date: dateMs });
  }

  /**
   * A new data directory whose first server accepted one request, `captured`, and was then ended
   * by `end` (stop: gracefully; crash: without a snapshot).
   */
  async function acceptedThenEnded(end: (server: TestServer) => Promise<void>): Promise<{ dataDir: string; captured: PreparedRequest }> {
    const dataDir = newDataDir();
    const server = await start(dataDir);
    const captured = request(server);
    assertAccepted(await send(server, captured), 'the first request');
    await end(server);
    return { dataDir, captured };
  }

  function assertAccepted(response: HttpResponse, what: string): void {
    assert.equal(response.status, 200, `${what} was refused: ${response.text}`);
  }

  function assertRefused(response: HttpResponse, code: string, what: string): void {
    assert.equal(response.status, 400, `${what} was not refused: HTTP ${response.status} ${response.text}`);
    assert.equal(response.json?.Code, code, `${what}: ${response.text}`);
  }

  after(async () => {
    for (const server of running) await server.close({ keepData: true });
    removeDataDirs();
  });

  it('a brand-new server accepts requests dated 14 minutes ago and 14 minutes ahead', async () => {
    const server = await start(newDataDir());
    assertAccepted(await send(server, request(server, Date.now() - 14 * MINUTE_MS)), 'a request dated 14 minutes ago');
    assertAccepted(await send(server, request(server, Date.now() + 14 * MINUTE_MS)), 'a request dated 14 minutes ahead');
    await stop(server);
  });

  it('after a graceful restart a replay is refused with SignatureNonceUsed, and new requests dated 14 minutes ago are accepted', async () => {
    const dataDir = newDataDir();
    let server = await start(dataDir);
    const recent = request(server);
    const old = request(server, Date.now() - 14 * MINUTE_MS);
    assertAccepted(await send(server, recent), 'the first request');
    assertAccepted(await send(server, old), 'the first request dated 14 minutes ago');
    await stop(server);

    const snapshotPath = join(dataDir, SNAPSHOT_FILE);
    assert.ok(existsSync(snapshotPath), 'a graceful close wrote no snapshot');
    assert.equal(statSync(snapshotPath).mode & 0o777, 0o600, 'the snapshot (it holds the hash key) is not private');
    assert.ok(!existsSync(`${snapshotPath}.tmp`), 'the temporary file was left behind');

    server = await start(dataDir);
    assert.ok(!existsSync(snapshotPath), 'the snapshot outlived the start that restored it');
    // The very same bytes (the signed Host names the old port, which the server does not check).
    assertRefused(await send(server, recent), 'SignatureNonceUsed', 'the replay');
    assertRefused(await send(server, old), 'SignatureNonceUsed', 'the replay of the request dated 14 minutes ago');
    assertAccepted(await send(server, request(server, Date.now() - 14 * MINUTE_MS)), 'a new request dated 14 minutes ago');
    assertAccepted(await send(server, request(server)), 'a new request');

    // And again: a second graceful restart still remembers the first process's requests.
    await stop(server);
    server = await start(dataDir);
    assertRefused(await send(server, recent), 'SignatureNonceUsed', 'the replay after a second restart');
    await stop(server);
  });

  it('after a crash (no snapshot) a replay is refused with InvalidTimeStamp.Expired, and requests signed since the start are accepted', async () => {
    const { dataDir, captured } = await acceptedThenEnded(crash);

    const server = await start(dataDir);
    assertRefused(await send(server, captured), 'InvalidTimeStamp.Expired', 'the replay after a crash');
    assertAccepted(await send(server, request(server)), 'a request signed after the start');
    await stop(server);
  });

  it('a crash is not forgotten by a graceful restart soon after: requests signed before the crash restart stay refused', async () => {
    const { dataDir, captured } = await acceptedThenEnded(crash);

    let server = await start(dataDir);
    const afterCrash = request(server);
    assertAccepted(await send(server, afterCrash), 'a request signed after the crash restart');
    await stop(server);

    server = await start(dataDir);
    assertRefused(await send(server, captured), 'InvalidTimeStamp.Expired', 'the replay of the pre-crash request');
    assertRefused(await send(server, afterCrash), 'SignatureNonceUsed', 'the replay of the post-crash request');
    await stop(server);
  });

  it('a damaged snapshot is not trusted: it is deleted and requests signed before the start are refused', async () => {
    const { dataDir, captured } = await acceptedThenEnded(stop);

    const snapshotPath = join(dataDir, SNAPSHOT_FILE);
    writeFileSync(snapshotPath, 'not a replay guard snapshot\n'.repeat(10), { mode: 0o600 });
    const server = await start(dataDir);
    assert.ok(!existsSync(snapshotPath), 'the damaged snapshot was left in place');
    assertRefused(await send(server, captured), 'InvalidTimeStamp.Expired', 'the replay');
    assertAccepted(await send(server, request(server)), 'a request signed after the start');
    await stop(server);
  });

  it('a start that fails before it listens leaves the snapshot for the next one', async () => {
    const { dataDir, captured } = await acceptedThenEnded(stop);

    await assert.rejects(
      startTestServer({
        dataDir,
        // A root key other than the directory's: the start fails after the guard is restored.
        environment: testEnvironment({ ARCA_ROOT_KEY: Buffer.alloc(32, 7).toString('base64') }),
      }),
      /root key does not match this data directory/,
    );
    assert.ok(existsSync(join(dataDir, SNAPSHOT_FILE)), 'the failed start lost the snapshot');

    const server = await start(dataDir);
    assertRefused(await send(server, captured), 'SignatureNonceUsed', 'the replay');
    assertAccepted(await send(server, request(server, Date.now() - 14 * MINUTE_MS)), 'a new request dated 14 minutes ago');
    await stop(server);
  });

  it('a start that cannot listen (port taken) leaves the snapshot for the next one', async () => {
    const { dataDir, captured } = await acceptedThenEnded(stop);

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const address = blocker.address();
      assert.ok(typeof address === 'object' && address !== null);
      await assert.rejects(
        startServer(
          { ...DEFAULT_CONFIG, host: '127.0.0.1', port: address.port, dataDir, region: TEST_REGION, accountId: TEST_ACCOUNT_ID },
          { environment: testEnvironment(), logger: pino({ level: 'silent' }), announce: () => {} },
        ),
        /EADDRINUSE/,
      );
    } finally {
      await new Promise<void>((resolve, reject) => blocker.close((error) => (error ? reject(error) : resolve())));
    }
    assert.ok(existsSync(join(dataDir, SNAPSHOT_FILE)), 'the failed start lost the snapshot');

    const server = await start(dataDir);
    assertRefused(await send(server, captured), 'SignatureNonceUsed', 'the replay');
    await stop(server);
  });
});
