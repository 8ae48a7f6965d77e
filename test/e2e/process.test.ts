// The server contract as outside checks use it: the compiled CLI started as a child process, its
// stdout, its files, its credentials, and its exit on SIGTERM.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { callAcs3, send, type Credentials } from '../support/acs3-signer.js';
import { ensureBuilt, killAllArcas, LISTENING, randomCredentials, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { KmsModels, v1Client, v3Caller } from '../support/clients.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

function printedCredentials(lines: readonly string[]): Credentials | undefined {
  const id = lines.map((line) => /^\s*AccessKeyId:\s+(\S+)\s*$/.exec(line)?.[1]).find((value) => value !== undefined);
  const secret = lines.map((line) => /^\s*AccessKeySecret:\s+(\S+)\s*$/.exec(line)?.[1]).find((value) => value !== undefined);
  return id !== undefined && secret !== undefined ? { accessKeyId: id, accessKeySecret: secret } : undefined;
}

async function sdkWorks(arca: ArcaProcess, credentials: Credentials): Promise<void> {
  const viaAcs3 = await v3Caller(arca, { credentials })('DescribeRegions', {});
  assert.equal(typeof viaAcs3.RequestId, 'string');
  const viaHmacSha1 = await v1Client(arca, credentials).describeRegions(new (KmsModels as any).DescribeRegionsRequest({}));
  assert.equal(typeof viaHmacSha1.requestId, 'string');
}

before(() => {
  ensureBuilt();
});

after(() => {
  killAllArcas();
  removeDataDirs();
});

describe('arca server: first start without ARCA_ACCESS_KEY_ID / ARCA_ACCESS_KEY_SECRET', () => {
  let dataDir: string;
  let arca: ArcaProcess;
  let printed: Credentials | undefined;

  before(async () => {
    dataDir = newDataDir('arca-process-');
    arca = await spawnArca({ dataDir });
    printed = printedCredentials(arca.lines);
  });

  after(() => {
    arca?.kill();
  });

  it('prints exactly one line containing "listening on http://127.0.0.1:<port>", with the real port', async () => {
    const listeningLines = arca.lines.filter((line) => line.includes('listening on http://127.0.0.1:'));
    assert.equal(listeningLines.length, 1, arca.lines.join('\n'));
    assert.ok(arca.port > 0 && arca.port < 65_536, `port ${arca.port}`);
    const health = await send(arca, { method: 'GET', path: '/health', headers: { host: arca.endpoint }, body: Buffer.alloc(0) });
    assert.equal(health.status, 200);
  });

  it('GET /health answers 200', async () => {
    const response = await fetch(`http://${arca.endpoint}/health`);
    assert.equal(response.status, 200);
    await response.body?.cancel();
  });

  it('prints an administrator key and writes the same to <data-dir>/admin-access-key.json with mode 0600', () => {
    assert.ok(printed, `no administrator key printed:\n${arca.lines.join('\n')}`);
    const path = join(dataDir, 'admin-access-key.json');
    assert.equal(modeOf(path), 0o600);
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    assert.deepEqual(saved, { AccessKeyId: printed.accessKeyId, AccessKeySecret: printed.accessKeySecret });
  });

  it('the printed administrator key works with the official SDKs (ACS3-HMAC-SHA256 and HMAC-SHA1)', async () => {
    assert.ok(printed);
    await sdkWorks(arca, printed);
  });

  it('the administrator secret appears on stdout once, in the announcement, never in the logs', async () => {
    assert.ok(printed);
    const accepted = await callAcs3(arca, printed, 'CreateKey', { Description: 'logged?' });
    const refused = await callAcs3(arca, { ...printed, accessKeySecret: 'wrong' }, 'DescribeRegions');
    // Wait until the audit events of both requests are on stdout.
    for (const requestId of [accepted.json?.RequestId, refused.json?.RequestId]) {
      assert.equal(typeof requestId, 'string');
      const deadline = Date.now() + 5_000;
      while (!arca.lines.some((line) => line.includes(requestId)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(
        arca.lines.some((line) => line.includes(requestId)),
        `no log line names request ${requestId}`,
      );
    }
    const withSecret = arca.lines.filter((line) => line.includes(printed!.accessKeySecret));
    assert.equal(withSecret.length, 1, withSecret.join('\n'));
  });

  it('<data-dir>/root.key exists with mode 0600', () => {
    assert.equal(modeOf(join(dataDir, 'root.key')), 0o600);
  });

  it('the database and its WAL are readable by their owner only (0600)', () => {
    assert.equal(modeOf(join(dataDir, 'arca.db')), 0o600);
    assert.equal(modeOf(join(dataDir, 'arca.db-wal')), 0o600);
  });

  it('SIGTERM stops the process with exit code 0', async () => {
    const exit = await arca.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, arca.stderr());
  });

  it('a second start on the same data directory prints no new administrator key, and the first one still works', async () => {
    assert.ok(printed);
    const savedBefore = readFileSync(join(dataDir, 'admin-access-key.json'), 'utf8');
    const second = await spawnArca({ dataDir });
    try {
      assert.equal(printedCredentials(second.lines), undefined, second.lines.join('\n'));
      assert.ok(!second.lines.some((line) => /administrator access key/i.test(line)), second.lines.join('\n'));
      assert.equal(readFileSync(join(dataDir, 'admin-access-key.json'), 'utf8'), savedBefore);
      await sdkWorks(second, printed);
    } finally {
      const exit = await second.stop();
      assert.deepEqual(exit, { code: 0, signal: null }, second.stderr());
    }
  });
});

describe('arca server: with ARCA_ACCESS_KEY_ID / ARCA_ACCESS_KEY_SECRET, --region and --account-id', () => {
  const credentials: Credentials = randomCredentials('env');
  let dataDir: string;
  let arca: ArcaProcess;

  before(async () => {
    dataDir = newDataDir('arca-process-');
    arca = await spawnArca({
      dataDir,
      credentials,
      args: ['--region', 'eu-central-1', '--account-id', '42'],
    });
  });

  after(() => {
    arca?.kill();
  });

  it('prints exactly one listening line and no administrator key, and writes no admin-access-key.json', () => {
    assert.equal(arca.lines.filter((line) => LISTENING.test(line)).length, 1);
    assert.equal(printedCredentials(arca.lines), undefined);
    assert.equal(existsSync(join(dataDir, 'admin-access-key.json')), false);
  });

  it('exactly the credentials from the environment work with the official SDKs', async () => {
    await sdkWorks(arca, credentials);
    const wrongSecret = await callAcs3(arca, { ...credentials, accessKeySecret: `${credentials.accessKeySecret}x` }, 'DescribeRegions');
    assert.equal(wrongSecret.status, 400);
    assert.equal(wrongSecret.json?.Code, 'SignatureDoesNotMatch');
    const otherId = await callAcs3(arca, { ...credentials, accessKeyId: `${credentials.accessKeyId}x` }, 'DescribeRegions');
    assert.equal(otherId.status, 404);
    assert.equal(otherId.json?.Code, 'InvalidAccessKeyId.NotFound');
  });

  it('--region eu-central-1 --account-id 42 appear in the Arn of a created key', async () => {
    const created = await v3Caller(arca, { credentials })('CreateKey', {});
    const keyId = created.KeyMetadata.KeyId;
    assert.equal(created.KeyMetadata.Arn, `acs:kms:eu-central-1:42:key/${keyId}`);
    const described = await callAcs3(arca, credentials, 'DescribeKey', { KeyId: `acs:kms:eu-central-1:42:key/${keyId}` });
    assert.equal(described.json?.KeyMetadata?.Arn, `acs:kms:eu-central-1:42:key/${keyId}`);
  });

  it('<data-dir>/root.key exists with mode 0600', () => {
    assert.equal(modeOf(join(dataDir, 'root.key')), 0o600);
  });

  it('SIGTERM stops the process with exit code 0', async () => {
    const exit = await arca.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, arca.stderr());
  });
});
