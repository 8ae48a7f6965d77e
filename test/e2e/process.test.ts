// The server contract as outside checks use it: the compiled CLI started as a child process, its
// stdout, its files, its credentials, and its exit on SIGTERM.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { callAcs3, send, type Credentials } from '../support/acs3-signer.js';
import {
  childEnvironment,
  CLI,
  ensureBuilt,
  killAllArcas,
  LISTENING,
  randomCredentials,
  ROOT,
  spawnArca,
  type ArcaProcess,
} from '../support/arca-process.js';
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

function savedCredentials(dataDir: string): Credentials {
  const saved = JSON.parse(readFileSync(join(dataDir, 'admin-access-key.json'), 'utf8'));
  return { accessKeyId: saved.AccessKeyId, accessKeySecret: saved.AccessKeySecret };
}

/** The stdout lines that are JSON objects, parsed. */
function logRecords(lines: readonly string[]): Array<Record<string, any>> {
  return lines.flatMap((line) => {
    try {
      const parsed: unknown = JSON.parse(line);
      return typeof parsed === 'object' && parsed !== null ? [parsed as Record<string, any>] : [];
    } catch {
      return [];
    }
  });
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

describe('arca server: first start without ARCA_ACCESS_KEY_ID / ARCA_ACCESS_KEY_SECRET, standard error not a terminal', () => {
  let dataDir: string;
  let arca: ArcaProcess;
  let saved: Credentials;

  before(async () => {
    dataDir = newDataDir('arca-process-');
    arca = await spawnArca({ dataDir });
    saved = savedCredentials(dataDir);
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

  it('writes an administrator key to <data-dir>/admin-access-key.json with mode 0600, and logs its AccessKeyId and the file as JSON', () => {
    const path = join(dataDir, 'admin-access-key.json');
    assert.equal(modeOf(path), 0o600);
    assert.match(saved.accessKeyId, /^LTAI/);
    assert.ok(saved.accessKeySecret.length >= 30);
    const created = logRecords(arca.lines).filter((record) => record.event === 'administrator-key-created');
    assert.equal(created.length, 1, arca.lines.join('\n'));
    assert.equal(created[0]?.accessKeyId, saved.accessKeyId);
    assert.equal(created[0]?.file, path);
  });

  it('shows the administrator secret nowhere: neither on stdout nor on standard error, which is not a terminal', () => {
    assert.equal(printedCredentials(arca.lines), undefined, arca.lines.join('\n'));
    assert.ok(!arca.lines.some((line) => line.includes(saved.accessKeySecret)));
    assert.ok(!arca.stderr().includes(saved.accessKeySecret));
  });

  it('the saved administrator key works with the official SDKs (ACS3-HMAC-SHA256 and HMAC-SHA1)', async () => {
    await sdkWorks(arca, saved);
  });

  it('stdout is JSON lines, the listening line among them; the secret never enters them, and a refused signature names the claimed key and the client', async () => {
    const accepted = await callAcs3(arca, saved, 'CreateKey', { Description: 'logged?' });
    const refused = await callAcs3(arca, { ...saved, accessKeySecret: 'wrong' }, 'DescribeRegions');
    assert.equal(refused.json?.Code, 'SignatureDoesNotMatch');
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
    const notJson = arca.lines.filter((line) => logRecords([line]).length === 0);
    assert.deepEqual(notJson, []);
    const listening = logRecords(arca.lines).filter((record) => record.event === 'listening');
    assert.deepEqual(
      listening.map((record) => [record.level, record.msg]),
      [[30, `arca listening on http://127.0.0.1:${arca.port}`]],
    );
    assert.ok(!arca.lines.some((line) => line.includes(saved.accessKeySecret)));
    const refusal = logRecords(arca.lines).find((record) => record.requestId === refused.json.RequestId);
    assert.equal(refusal?.event, 'audit');
    assert.equal(refusal?.result, 'SignatureDoesNotMatch');
    assert.equal(refusal?.identity?.accessKeyId, saved.accessKeyId);
    assert.equal(refusal?.sourceIp, '127.0.0.1');
  });

  it('the root key file is beside the data directory, not in it, with mode 0600', () => {
    assert.equal(modeOf(`${dataDir}.root.key`), 0o600);
    assert.equal(existsSync(join(dataDir, 'root.key')), false);
  });

  it('the database and its WAL are readable by their owner only (0600)', () => {
    assert.equal(modeOf(join(dataDir, 'arca.db')), 0o600);
    assert.equal(modeOf(join(dataDir, 'arca.db-wal')), 0o600);
  });

  it('SIGTERM stops the process with exit code 0', async () => {
    const exit = await arca.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, arca.stderr());
  });

  it('a second start on the same data directory creates no new administrator key, and the first one still works', async () => {
    const savedBefore = readFileSync(join(dataDir, 'admin-access-key.json'), 'utf8');
    const second = await spawnArca({ dataDir });
    try {
      assert.ok(!second.lines.some((line) => /administrator access key/i.test(line)), second.lines.join('\n'));
      assert.equal(readFileSync(join(dataDir, 'admin-access-key.json'), 'utf8'), savedBefore);
      await sdkWorks(second, saved);
    } finally {
      const exit = await second.stop();
      assert.deepEqual(exit, { code: 0, signal: null }, second.stderr());
    }
  });
});

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe('arca server: first start with standard error a terminal (util-linux script)', { skip: !hasScript && 'no script(1)' }, () => {
  it('shows the administrator key there once, the same as the saved one, and stdout stays JSON lines without the secret', async () => {
    const dataDir = newDataDir('arca-process-tty-');
    const work = newDataDir('arca-process-tty-out-');
    const stdoutFile = join(work, 'stdout.log');
    const pidFile = join(work, 'pid');
    // Inside script(1) stdin, stdout and stderr are a terminal; stdout is sent to a file, so only
    // standard error stays one. `exec` makes the server the process whose pid is written.
    const command =
      `echo $$ > '${pidFile}'; exec '${process.execPath}' '${CLI}' server --host 127.0.0.1 --port 0 ` +
      `--data-dir '${dataDir}' > '${stdoutFile}'`;
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: ROOT,
      env: childEnvironment({}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let terminal = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (terminal += chunk));
    const closed = new Promise((resolve) => child.once('close', resolve));
    try {
      const deadline = Date.now() + 30_000;
      while (!(existsSync(stdoutFile) && LISTENING.test(readFileSync(stdoutFile, 'utf8'))) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const stdoutLines = readFileSync(stdoutFile, 'utf8')
        .split('\n')
        .filter((line) => line !== '');
      assert.ok(
        stdoutLines.some((line) => LISTENING.test(line)),
        `no listening line:\n${stdoutLines.join('\n')}\n${terminal}`,
      );
      const saved = savedCredentials(dataDir);
      const shown = printedCredentials(terminal.split(/\r?\n/));
      assert.deepEqual(shown, saved, terminal);
      assert.equal(terminal.split(saved.accessKeySecret).length - 1, 1, 'the secret is shown once');
      assert.equal(printedCredentials(stdoutLines), undefined);
      assert.ok(!stdoutLines.some((line) => line.includes(saved.accessKeySecret)));
      assert.deepEqual(
        stdoutLines.filter((line) => logRecords([line]).length === 0),
        [],
      );
    } finally {
      const pid = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : Number.NaN);
      if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGTERM');
      await closed;
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

  it('the root key file is beside the data directory, not in it, with mode 0600', () => {
    assert.equal(modeOf(`${dataDir}.root.key`), 0o600);
    assert.equal(existsSync(join(dataDir, 'root.key')), false);
  });

  it('SIGTERM stops the process with exit code 0', async () => {
    const exit = await arca.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, arca.stderr());
  });
});
