// A start that fails leaves nothing behind: a taken port is found before the data directory gets
// a root key, a database or an administrator key (and its admin-access-key.json), and a refused
// data directory gains no replay-guard snapshot. Both for a single process (in this process) and
// for a cluster's primary (the compiled CLI with --workers 2).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { pino } from 'pino';

import { DEFAULT_CONFIG } from '../../src/config/arca-config.js';
import { ADMIN_KEY_FILE_NAME, REPLAY_GUARD_SNAPSHOT_FILE_NAME, startServer } from '../../src/main.js';
import { CLI, ensureBuilt, ROOT } from '../support/arca-process.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';
import { testEnvironment } from '../support/environment.js';
import { startTestServer, TEST_ACCOUNT_ID, TEST_REGION } from '../support/server.js';

const OTHER_ROOT_KEY = Buffer.alloc(32, 7).toString('base64');

async function occupy(): Promise<{ port: number; blocker: Server }> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const address = blocker.address();
  assert.ok(typeof address === 'object' && address !== null);
  return { port: address.port, blocker };
}

function release(blocker: Server): Promise<void> {
  return new Promise((resolve) => blocker.close(() => resolve()));
}

/** `arca server --workers 2 …` expected to fail, with `environment` (no administrator key unless given). */
function clusterStart(args: readonly string[], environment: Record<string, string> = {}): { status: number | null; stderr: string } {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ARCA_')) env[name] = value;
  const result = spawnSync(process.execPath, [CLI, 'server', '--host', '127.0.0.1', '--workers', '2', ...args], {
    cwd: ROOT,
    env: { ...env, ...environment },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stderr: result.stderr };
}

/** A data directory whose server accepted requests and then crashed: a database, no snapshot. */
async function crashedDataDir(): Promise<string> {
  const server = await startTestServer({ dataDir: newDataDir('arca-failed-start-') });
  await server.close({ keepData: true });
  rmSync(join(server.dataDir, REPLAY_GUARD_SNAPSHOT_FILE_NAME));
  return server.dataDir;
}

before(() => {
  ensureBuilt();
});

after(() => {
  removeDataDirs();
});

describe('a start on a port already in use', () => {
  it('a single process: creates no administrator key, no admin-access-key.json, nothing at all in the fresh data directory', async () => {
    const dataDir = newDataDir('arca-port-taken-');
    const { port, blocker } = await occupy();
    try {
      await assert.rejects(
        startServer(
          { ...DEFAULT_CONFIG, host: '127.0.0.1', port, dataDir, region: TEST_REGION, accountId: TEST_ACCOUNT_ID },
          // No ARCA_ACCESS_KEY_*: a start that got further would create and save an administrator key.
          {
            environment: {},
            logger: pino({ level: 'silent' }),
            announce: (line) => assert.fail(`announced: ${line}`),
            showSecret: (line) => assert.fail(`showed: ${line}`),
          },
        ),
        /EADDRINUSE/,
      );
    } finally {
      await release(blocker);
    }
    assert.equal(existsSync(join(dataDir, ADMIN_KEY_FILE_NAME)), false);
    assert.deepEqual(readdirSync(dataDir), [], 'the failed start left files (root key, database with an administrator key, snapshot)');
  });

  it('a cluster: the primary creates no administrator key, no admin-access-key.json, nothing at all', async () => {
    const dataDir = join(newDataDir('arca-port-taken-cluster-'), 'data');
    const { port, blocker } = await occupy();
    let result: { status: number | null; stderr: string };
    try {
      result = clusterStart(['--port', String(port), '--data-dir', dataDir]);
    } finally {
      await release(blocker);
    }
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /EADDRINUSE/);
    assert.equal(existsSync(dataDir), false, 'the failed start created the data directory');
  });
});

describe('a start refused by its data directory (root key mismatch)', () => {
  it('a single process writes no replay-guard snapshot there', async () => {
    const dataDir = await crashedDataDir();
    await assert.rejects(
      startTestServer({ dataDir, environment: testEnvironment({ ARCA_ROOT_KEY: OTHER_ROOT_KEY }) }),
      /root key does not match this data directory/,
    );
    assert.equal(existsSync(join(dataDir, REPLAY_GUARD_SNAPSHOT_FILE_NAME)), false);
  });

  it("a cluster's primary writes no replay-guard snapshot there", async () => {
    const dataDir = await crashedDataDir();
    const result = clusterStart(['--port', '0', '--data-dir', dataDir], testEnvironment({ ARCA_ROOT_KEY: OTHER_ROOT_KEY }));
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /root key does not match this data directory/);
    assert.equal(existsSync(join(dataDir, REPLAY_GUARD_SNAPSHOT_FILE_NAME)), false);
  });
});
