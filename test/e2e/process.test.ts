// The server contract as outside checks use it: the compiled CLI started as a child process, its
// stdout, its files, its credentials, and its exit on SIGTERM.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { callAcs3, send, type Credentials } from '../support/acs3-signer.js';
import { KmsModels, v1Client, v3Caller } from '../support/clients.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'arca.js');
const START_TIMEOUT_MS = 30_000;
const LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)/;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface Arca {
  readonly child: ChildProcess;
  readonly dataDir: string;
  /** Every complete stdout line so far. */
  readonly lines: string[];
  readonly stderr: () => string;
  readonly exited: Promise<Exit>;
  port: number;
  endpoint: string;
}

const running = new Set<ChildProcess>();
const tempDirs: string[] = [];

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'arca-process-'));
  tempDirs.push(dir);
  return dir;
}

/** The parent's environment without any ARCA_* setting, plus `extra`. */
function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ARCA_')) env[name] = value;
  return { ...env, ...extra };
}

/** Starts `node dist/cli/arca.js server …` and waits for its listening line. */
async function startArca(dataDir: string, options: { env?: Record<string, string>; args?: string[] } = {}): Promise<Arca> {
  const child = spawn(
    process.execPath,
    [CLI, 'server', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])],
    { cwd: ROOT, env: cleanEnvironment(options.env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const exited = new Promise<Exit>((resolve) => {
    // 'close', not 'exit': stdout is fully read by then.
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const arca: Arca = { child, dataDir, lines, stderr: () => stderr, exited, port: 0, endpoint: '' };

  const listening = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line within ${START_TIMEOUT_MS} ms; stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`)), START_TIMEOUT_MS);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      partial += chunk;
      const complete = partial.split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete) {
        lines.push(line);
        const match = LISTENING.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
    });
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`arca exited (${exit.code ?? exit.signal}) before listening; stderr:\n${stderr}`));
    });
  });
  arca.port = await listening;
  arca.endpoint = `127.0.0.1:${arca.port}`;
  return arca;
}

async function stopArca(arca: Arca): Promise<Exit> {
  if (arca.child.exitCode === null && arca.child.signalCode === null) arca.child.kill('SIGTERM');
  return arca.exited;
}

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

function printedCredentials(lines: readonly string[]): Credentials | undefined {
  const id = lines.map((line) => /^\s*AccessKeyId:\s+(\S+)\s*$/.exec(line)?.[1]).find((value) => value !== undefined);
  const secret = lines.map((line) => /^\s*AccessKeySecret:\s+(\S+)\s*$/.exec(line)?.[1]).find((value) => value !== undefined);
  return id !== undefined && secret !== undefined ? { accessKeyId: id, accessKeySecret: secret } : undefined;
}

async function sdkWorks(arca: Arca, credentials: Credentials): Promise<void> {
  const viaAcs3 = await v3Caller(arca, { credentials })('DescribeRegions', {});
  assert.equal(typeof viaAcs3.RequestId, 'string');
  const viaHmacSha1 = await v1Client(arca, credentials).describeRegions(new (KmsModels as any).DescribeRegionsRequest({}));
  assert.equal(typeof viaHmacSha1.requestId, 'string');
}

before(() => {
  if (!existsSync(CLI)) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}\n${build.stderr}`);
  }
});

after(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('arca server: first start without ARCA_ACCESS_KEY_ID / ARCA_ACCESS_KEY_SECRET', () => {
  let dataDir: string;
  let arca: Arca;
  let printed: Credentials | undefined;

  before(async () => {
    dataDir = newDataDir();
    arca = await startArca(dataDir);
    printed = printedCredentials(arca.lines);
  });

  after(() => {
    if (arca?.child.exitCode === null) arca.child.kill('SIGKILL');
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
      assert.ok(arca.lines.some((line) => line.includes(requestId)), `no log line names request ${requestId}`);
    }
    const withSecret = arca.lines.filter((line) => line.includes(printed!.accessKeySecret));
    assert.equal(withSecret.length, 1, withSecret.join('\n'));
  });

  it('<data-dir>/root.key exists with mode 0600', () => {
    assert.equal(modeOf(join(dataDir, 'root.key')), 0o600);
  });

  it('SIGTERM stops the process with exit code 0', async () => {
    const exit = await stopArca(arca);
    assert.deepEqual(exit, { code: 0, signal: null }, arca.stderr());
  });

  it('a second start on the same data directory prints no new administrator key, and the first one still works', async () => {
    assert.ok(printed);
    const savedBefore = readFileSync(join(dataDir, 'admin-access-key.json'), 'utf8');
    const second = await startArca(dataDir);
    try {
      assert.equal(printedCredentials(second.lines), undefined, second.lines.join('\n'));
      assert.ok(!second.lines.some((line) => /administrator access key/i.test(line)), second.lines.join('\n'));
      assert.equal(readFileSync(join(dataDir, 'admin-access-key.json'), 'utf8'), savedBefore);
      await sdkWorks(second, printed);
    } finally {
      const exit = await stopArca(second);
      assert.deepEqual(exit, { code: 0, signal: null }, second.stderr());
    }
  });
});

describe('arca server: with ARCA_ACCESS_KEY_ID / ARCA_ACCESS_KEY_SECRET, --region and --account-id', () => {
  const credentials: Credentials = { accessKeyId: `LTAIenv${randomBytes(6).toString('hex')}`, accessKeySecret: randomBytes(15).toString('hex') };
  let dataDir: string;
  let arca: Arca;

  before(async () => {
    dataDir = newDataDir();
    arca = await startArca(dataDir, {
      env: { ARCA_ACCESS_KEY_ID: credentials.accessKeyId, ARCA_ACCESS_KEY_SECRET: credentials.accessKeySecret },
      args: ['--region', 'eu-central-1', '--account-id', '42'],
    });
  });

  after(() => {
    if (arca?.child.exitCode === null) arca.child.kill('SIGKILL');
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
    const exit = await stopArca(arca);
    assert.deepEqual(exit, { code: 0, signal: null }, arca.stderr());
  });
});
