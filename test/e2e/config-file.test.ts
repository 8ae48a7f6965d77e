// `arca server --config arca.toml` as an operator runs it: the compiled CLI with a TOML file of
// settings, flags winning over it, a cluster's workers running with the file's settings, and a
// file with a mistake refused at start (exit code 2, the key named, no stack trace).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CLI, ensureBuilt, killAllArcas, randomCredentials, ROOT, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { v3Caller } from '../support/clients.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

/** A port some other process holds for the duration of the tests. */
async function occupiedPort(): Promise<{ port: number; blocker: Server }> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const address = blocker.address();
  assert.ok(typeof address === 'object' && address !== null);
  return { port: address.port, blocker };
}

function writeConfig(directory: string, text: string): string {
  const path = join(directory, 'arca.toml');
  writeFileSync(path, text);
  return path;
}

/** `arca server --config <file> …` that is expected to stop at once. */
function refusedStart(configPath: string, dataDir: string): { status: number | null; stderr: string } {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ARCA_')) env[name] = value;
  const result = spawnSync(process.execPath, [CLI, 'server', '--config', configPath, '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, stderr: result.stderr };
}

before(() => {
  ensureBuilt();
});

after(() => {
  killAllArcas();
  removeDataDirs();
});

describe('arca server --config arca.toml', () => {
  const credentials = randomCredentials('config');
  let arca: ArcaProcess;
  let occupied: { port: number; blocker: Server };

  before(async () => {
    occupied = await occupiedPort();
    const dataDir = newDataDir('arca-config-file-');
    const configPath = writeConfig(
      dataDir,
      [
        '# The flags --host, --port and --data-dir of spawnArca win over these two.',
        `port = ${occupied.port}`,
        'data-dir = "/nonexistent/arca-data"',
        'region = "eu-west-1"',
        'account-id = "777"',
        'min-rotation-interval = "1d"',
        'workers = 2',
        '',
      ].join('\n'),
    );
    arca = await spawnArca({ dataDir, credentials, args: ['--config', configPath] });
  });

  after(async () => {
    await arca?.stop();
    await new Promise<void>((resolve) => occupied.blocker.close(() => resolve()));
  });

  it('starts the cluster the file asks for, on the port and data directory the flags give', () => {
    const listening = arca.lines.filter((line) => line.includes('listening on http://127.0.0.1:'));
    assert.equal(listening.length, 1, arca.lines.join('\n'));
    assert.match(listening[0] ?? '', /\(2 workers\)"/);
    assert.notEqual(arca.port, occupied.port);
  });

  it("the workers serve with the file's settings: its region and account in Arns, its shortest rotation interval", async () => {
    const call = v3Caller(arca, { credentials });
    for (let request = 0; request < 4; request += 1) {
      const created = await call('CreateKey', { EnableAutomaticRotation: 'true', RotationInterval: '86400s' });
      assert.match(created.KeyMetadata.Arn, /^acs:kms:eu-west-1:777:key\//);
    }
    await assert.rejects(
      call('CreateKey', { EnableAutomaticRotation: 'true', RotationInterval: '3600s' }),
      /InvalidParameter|RotationInterval/,
    );
  });

  it('SIGTERM stops it with exit code 0', async () => {
    assert.deepEqual(await arca.stop(), { code: 0, signal: null }, arca.stderr());
  });
});

describe('arca server --config with a mistake in the file', () => {
  const cases: [string, string, RegExp][] = [
    ['an unknown key', 'prot = 8080\n', /^arca: prot \(.*\.toml\): is not a setting; the settings are host, port, /m],
    ['a bad value', 'workers = "two"\n', /^arca: workers \(.*\.toml\): a worker count is a whole number from 1 to 64$/m],
    [
      'a secret',
      'root-key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="\n',
      /^arca: root-key \(.*\.toml\): a secret is never a value in a configuration file/m,
    ],
    ['a TOML syntax error', 'port = = 1\n', /^arca: --config: .*\.toml is not valid TOML at line 1/m],
  ];
  for (const [what, text, message] of cases) {
    it(`${what}: exit code 2, the key named, no stack trace, nothing created`, () => {
      const directory = newDataDir('arca-config-refused-');
      const dataDir = join(directory, 'data');
      const result = refusedStart(writeConfig(directory, text), dataDir);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.ok(!/^\s+at /m.test(result.stderr), `a stack trace:\n${result.stderr}`);
      assert.ok(!result.stderr.includes('AAAAAAAA'), 'the secret was echoed');
      assert.equal(existsSync(dataDir), false, 'the refused start created its data directory');
    });
  }
});

describe('the environment over the file, the flags over both, at a real start', () => {
  it('ARCA_REGION wins over the file, --account-id over ARCA_ACCOUNT_ID and the file', async () => {
    const directory = newDataDir('arca-config-layers-');
    const configPath = writeConfig(directory, 'region = "eu-west-1"\naccount-id = "777"\n');
    const credentials = randomCredentials('layers');
    const server = await spawnArca({
      dataDir: join(directory, 'data'),
      credentials,
      args: ['--config', configPath, '--account-id', '999'],
      env: { ARCA_REGION: 'ap-south-1', ARCA_ACCOUNT_ID: '888' },
    });
    try {
      const created = await v3Caller(server, { credentials })('CreateKey', {});
      assert.match(created.KeyMetadata.Arn, /^acs:kms:ap-south-1:999:key\//);
    } finally {
      await server.stop();
    }
  });
});

describe('arca config check <file>', () => {
  function check(args: readonly string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
    const environment: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ARCA_')) environment[name] = value;
    const result = spawnSync(process.execPath, [CLI, 'config', 'check', ...args], {
      cwd: ROOT,
      env: { ...environment, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('a sound file: exit 0, one line, and nothing opened or created', () => {
    const directory = newDataDir('arca-config-check-');
    const dataDir = join(directory, 'data');
    const path = writeConfig(
      directory,
      `data-dir = "${dataDir}"\nport = 9443\nroot-key-file = "${directory}/root.key"\n[pkcs11]\nmodule = "/usr/lib/x.so"\ntoken-label = "t"\npin-env = "HSM_PIN"\n`,
    );
    const result = check([path]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `${path}: valid (6 settings; the rest take their defaults)\n`);
    assert.equal(existsSync(dataDir), false);
    assert.equal(existsSync(join(directory, 'root.key')), false);
  });

  it('a file with a mistake: exit 2 and the same message a start gives', () => {
    const cases: [string, RegExp][] = [
      ['prot = 8080\n', /^arca: prot \(.*\.toml\): is not a setting/m],
      ['workers = "two"\n', /^arca: workers \(.*\.toml\): a worker count is a whole number from 1 to 64$/m],
      ['pin = "12345678"\n', /^arca: pin \(.*\.toml\): a secret is never a value in a configuration file/m],
      ['root-key-env = "12345678"\n', /^arca: root-key-env \(.*\.toml\): names an environment variable/m],
      ['port = = 1\n', /^arca: --config: .*\.toml is not valid TOML at line 1/m],
    ];
    for (const [text, message] of cases) {
      const result = check([writeConfig(newDataDir('arca-config-check-bad-'), text)]);
      assert.equal(result.status, 2, `${text}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.ok(!result.stderr.includes('12345678'), 'the secret was echoed');
      assert.ok(!/^\s+at /m.test(result.stderr), `a stack trace:\n${result.stderr}`);
    }
    const missing = check(['/nonexistent/arca.toml']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read \/nonexistent\/arca\.toml \(ENOENT\)/);
  });

  it('--with-environment applies the ARCA_* setting variables; without it they are ignored', () => {
    const path = writeConfig(newDataDir('arca-config-check-env-'), 'port = 9443\n');
    assert.equal(check([path], { ARCA_PORT: 'eighty' }).status, 0);
    const withEnvironment = check(['--with-environment', path], { ARCA_PORT: 'eighty' });
    assert.equal(withEnvironment.status, 2);
    assert.match(withEnvironment.stderr, /^arca: port \(ARCA_PORT\): a port is a whole number/m);
  });
});
