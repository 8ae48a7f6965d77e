// The client commands of the compiled `arca` against a real server: key life cycle, aliases,
// Encrypt/Decrypt and data keys; table and JSON output; one-line errors with the API's Code and
// exit code 1; usage mistakes with exit code 2; where endpoint and credentials come from; the
// profile file's permissions; an example in every command's help.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { callOk } from '../support/acs3-signer.js';
import { collectCli, runCli, serverEnvironment, spawnCli } from '../support/arca-cli.js';
import { ensureBuilt } from '../support/arca-process.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';
import { TEST_CREDENTIALS } from '../support/environment.js';
import { startTestServer, TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET, type TestServer } from '../support/server.js';

const ONE_ERROR_LINE = /^arca: [^\n]+\n$/;
let server: TestServer;
let env: Record<string, string>;
let work: string;

before(async () => {
  ensureBuilt();
  server = await startTestServer();
  env = serverEnvironment(server);
  work = newDataDir('arca-cli-commands-');
});

after(async () => {
  await server?.close();
  removeDataDirs();
});

async function ok(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<string> {
  const result = await runCli(args, { env: { ...env, ...extraEnv } });
  assert.equal(result.code, 0, `arca ${args.join(' ')}: ${result.stderr}`);
  return result.text;
}

async function json(args: readonly string[]): Promise<any> {
  return JSON.parse(await ok([...args, '--output', 'json']));
}

describe('arca key and alias commands', () => {
  let keyId: string;

  it('key create prints the key as a table, and as the API body with --output json', async () => {
    const table = await ok(['key', 'create', '--description', 'cli test key', '--tag', 'team=qa']);
    const id = /^KeyId\s+(\S+)$/m.exec(table)?.[1];
    assert.match(id ?? '', /^[0-9a-f-]{36}$/);
    assert.match(table, /^KeyState\s+Enabled$/m);
    assert.match(table, /^Description\s+cli test key$/m);
    const created = await json(['key', 'create', '--key-spec', 'Aliyun_SM4', '--rotation-interval', '30d', '--alias', 'cli-sm4']);
    assert.equal((await json(['key', 'describe', 'alias/cli-sm4'])).KeyMetadata.KeyId, created.KeyMetadata.KeyId);
    assert.equal(created.KeyMetadata.KeySpec, 'Aliyun_SM4');
    assert.equal(created.KeyMetadata.AutomaticRotation, 'Enabled');
    assert.equal(created.KeyMetadata.RotationInterval, '2592000s');
    assert.equal(typeof created.RequestId, 'string');
    keyId = id ?? '';
    const tags = await callOk(server, TEST_CREDENTIALS, 'ListResourceTags', { KeyId: keyId });
    assert.deepEqual(
      tags.Tags.Tag.map((tag: any) => [tag.TagKey, tag.TagValue]),
      [['team', 'qa']],
    );
  });

  it('alias create, then every key command takes the alias', async () => {
    assert.equal(await ok(['alias', 'create', 'cli-test', keyId]), `alias/cli-test -> ${keyId}\n`);
    const described = await json(['key', 'describe', 'alias/cli-test']);
    assert.equal(described.KeyMetadata.KeyId, keyId);
  });

  it('key list shows every key, with --output json as {Keys, TotalCount}', async () => {
    const listed = await json(['key', 'list']);
    assert.ok(listed.Keys.some((key: any) => key.KeyId === keyId && key.Description === 'cli test key'));
    assert.equal(listed.TotalCount, listed.Keys.length);
    const table = await ok(['key', 'list']);
    assert.match(table.split('\n')[0] ?? '', /^KeyId\s+KeySpec\s+KeyState\s+CreationDate\s+Description$/);
    assert.match(table, new RegExp(`^${keyId}\\s+Aliyun_AES_256\\s+Enabled\\s+\\S+\\s+cli test key$`, 'm'));
  });

  it('key list pages through more than one page of keys', async () => {
    const before = (await json(['key', 'list'])).TotalCount as number;
    const extra = Math.max(0, 101 - before);
    for (let index = 0; index < extra; index++) await callOk(server, TEST_CREDENTIALS, 'CreateKey', {});
    const listed = await json(['key', 'list']);
    assert.equal(listed.Keys.length, before + extra);
    assert.ok(listed.Keys.length > 100);
    assert.equal(new Set(listed.Keys.map((key: any) => key.KeyId)).size, listed.Keys.length);
  });

  it('key disable and enable change the state', async () => {
    assert.equal(await ok(['key', 'disable', 'alias/cli-test']), 'disabled alias/cli-test\n');
    assert.equal((await json(['key', 'describe', keyId])).KeyMetadata.KeyState, 'Disabled');
    assert.equal(typeof (await json(['key', 'enable', keyId])).RequestId, 'string');
    assert.equal((await json(['key', 'describe', keyId])).KeyMetadata.KeyState, 'Enabled');
  });

  it('key rotate adds a primary version; key versions lists them oldest first', async () => {
    const rotated = await json(['key', 'rotate', 'alias/cli-test']);
    const versions = await json(['key', 'versions', 'alias/cli-test']);
    assert.equal(versions.KeyVersions.length, 2);
    assert.equal(versions.KeyVersions[1].KeyVersionId, rotated.KeyVersion.KeyVersionId);
    assert.equal(versions.PrimaryKeyVersion, rotated.KeyVersion.KeyVersionId);
    const table = await ok(['key', 'versions', keyId]);
    assert.match(table, new RegExp(`^${rotated.KeyVersion.KeyVersionId}\\s+\\S+\\s+yes$`, 'm'));
  });

  it('key schedule-deletion and cancel-deletion', async () => {
    const created = await json(['key', 'create']);
    const id = created.KeyMetadata.KeyId as string;
    assert.match(await ok(['key', 'schedule-deletion', id, '--pending-window-days', '7']), /scheduled in 7 days/);
    assert.equal((await json(['key', 'describe', id])).KeyMetadata.KeyState, 'PendingDeletion');
    await ok(['key', 'cancel-deletion', id]);
    assert.equal((await json(['key', 'describe', id])).KeyMetadata.KeyState, 'Enabled');
  });

  it('alias list, update and delete', async () => {
    const other = (await json(['key', 'create'])).KeyMetadata.KeyId as string;
    await ok(['alias', 'update', 'alias/cli-test', other]);
    const byKey = await json(['alias', 'list', '--key-id', other]);
    assert.deepEqual(
      byKey.Aliases.map((alias: any) => alias.AliasName),
      ['alias/cli-test'],
    );
    assert.match(await ok(['alias', 'list']), new RegExp(`^alias/cli-test\\s+${other}$`, 'm'));
    assert.equal(await ok(['alias', 'delete', 'alias/cli-test']), 'deleted alias/cli-test\n');
    assert.equal((await json(['alias', 'list', '--key-id', other])).Aliases.length, 0);
  });
});

describe('arca encrypt, decrypt and data-key', () => {
  let keyId: string;

  before(async () => {
    keyId = (await callOk(server, TEST_CREDENTIALS, 'CreateKey', {})).KeyMetadata.KeyId;
  });

  it('encrypt prints a CiphertextBlob that decrypt turns back into the text, with the context', async () => {
    const blob = (await ok(['encrypt', '--key-id', keyId, '--plaintext', 'the launch code', '--context', 'app=cli'])).trim();
    assert.match(blob, /^[A-Za-z0-9+/]+=*$/);
    assert.equal(await ok(['decrypt', '--ciphertext-blob', blob, '--context', 'app=cli']), 'the launch code\n');
    const viaStdin = await runCli(['decrypt', '--in', '-', '--context', 'app=cli', '--output', 'json'], { env, input: `${blob}\n` });
    assert.equal(viaStdin.code, 0, viaStdin.stderr);
    assert.equal(viaStdin.json().Plaintext, 'the launch code');
    assert.equal(viaStdin.json().KeyId, keyId);
  });

  it('decrypt with the wrong context fails with the API Code on one line and exit code 1', async () => {
    const blob = (await ok(['encrypt', '--key-id', keyId, '--plaintext', 'x', '--context', 'app=cli'])).trim();
    const result = await runCli(['decrypt', '--ciphertext-blob', blob, '--context', 'app=other'], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, ONE_ERROR_LINE);
    assert.match(
      result.stderr,
      /^arca: InvalidParameter: The specified parameter "CiphertextBlob" is not valid\. \(HTTP 400, RequestId [0-9A-Fa-f-]+\)\n$/,
    );
    assert.equal(result.stdout.length, 0);
  });

  it('data-key prints a 32-byte base64 data key and its blob; --without-plaintext only the blob', async () => {
    const generated = await json(['data-key', '--key-id', keyId, '--key-spec', 'AES_256']);
    assert.equal(Buffer.from(generated.Plaintext, 'base64').length, 32);
    const opened = await json(['decrypt', '--ciphertext-blob', generated.CiphertextBlob]);
    assert.equal(opened.Plaintext, generated.Plaintext);
    const sixteen = await json(['data-key', '--key-id', keyId, '--number-of-bytes', '16']);
    assert.equal(Buffer.from(sixteen.Plaintext, 'base64').length, 16);
    const sealedOnly = await json(['data-key', '--key-id', keyId, '--without-plaintext']);
    assert.equal(sealedOnly.Plaintext, undefined);
    assert.equal(typeof sealedOnly.CiphertextBlob, 'string');
    const table = await ok(['data-key', '--key-id', keyId]);
    assert.match(table, /^Plaintext\s+\S+$/m);
    assert.match(table, /^CiphertextBlob\s+\S+$/m);
  });

  it('an unknown key fails with Forbidden.KeyNotFound and exit code 1', async () => {
    const result = await runCli(['key', 'describe', '00000000-0000-4000-8000-000000000000'], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^arca: Forbidden\.KeyNotFound: [^\n]+\(HTTP 404, RequestId [^)]+\)\n$/);
  });
});

describe('arca: failures, usage and help', () => {
  it('wrong credentials: the API Code, one line, exit code 1', async () => {
    const result = await runCli(['key', 'list'], { env: { ...env, ARCA_ACCESS_KEY_SECRET: 'wrong-secret' } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, ONE_ERROR_LINE);
    assert.match(result.stderr, /^arca: SignatureDoesNotMatch: /);
  });

  it('no server listening: a connection error, one line, exit code 1', async () => {
    const result = await runCli(['key', 'list'], { env: { ...env, ARCA_ENDPOINT: '127.0.0.1:1' } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^arca: Connection: cannot reach 127\.0\.0\.1:1: ECONNREFUSED\n$/);
  });

  it('no endpoint or credentials anywhere: says what is missing, exit code 1', async () => {
    const result = await runCli(['key', 'list'], { env: {} });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^arca: Config: missing endpoint .*arca configure\n$/);
  });

  it('usage mistakes exit with 2: a missing required flag, an unknown command, a bad --context', async () => {
    for (const args of [
      ['encrypt-file', '--in', 'a', '--out', 'b'],
      ['no-such-command'],
      ['encrypt', '--key-id', 'k', '--plaintext', 'x', '--context', 'novalue'],
      ['decrypt'],
    ]) {
      const result = await runCli(args, { env });
      assert.equal(result.code, 2, `arca ${args.join(' ')}: ${result.stderr}`);
      assert.ok(result.stderr.length > 0);
    }
  });

  it('every command has --help with an example, exit code 0', async () => {
    const commands = [
      [],
      ['server'],
      ['configure'],
      ['key'],
      ...['create', 'describe', 'list', 'enable', 'disable', 'schedule-deletion', 'cancel-deletion', 'rotate', 'versions'].map((name) => [
        'key',
        name,
      ]),
      ['alias'],
      ...['create', 'update', 'delete', 'list'].map((name) => ['alias', name]),
      ['encrypt'],
      ['decrypt'],
      ['data-key'],
      ['encrypt-file'],
      ['decrypt-file'],
    ];
    for (const command of commands) {
      const result = await runCli([...command, '--help']);
      assert.equal(result.code, 0, `arca ${command.join(' ')} --help`);
      assert.match(result.text, /\nExample:\n {2}arca /, `arca ${command.join(' ')} --help has an example`);
    }
  });
});

describe('endpoint and credentials: flags, environment, profile file', () => {
  const profilePath = (): string => join(work, 'profiles', 'config.json');

  it('flags win over the environment', async () => {
    const result = await runCli(
      [
        'key',
        'list',
        '--output',
        'json',
        '--endpoint',
        server.endpoint,
        '--access-key-id',
        TEST_ACCESS_KEY_ID,
        '--access-key-secret',
        TEST_ACCESS_KEY_SECRET,
      ],
      {
        env: { ARCA_ENDPOINT: '127.0.0.1:1', ARCA_ACCESS_KEY_ID: 'LTAInobody', ARCA_ACCESS_KEY_SECRET: 'nothing' },
      },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(typeof result.json().TotalCount, 'number');
    assert.match(result.stderr, /^arca: WARNING: --access-key-secret puts a secret on the command line/);
  });

  it('configure writes a 0600 profile from an admin key file, and commands use it', async () => {
    const adminKeyFile = join(work, 'admin-access-key.json');
    writeFileSync(adminKeyFile, JSON.stringify({ AccessKeyId: TEST_ACCESS_KEY_ID, AccessKeySecret: TEST_ACCESS_KEY_SECRET }), {
      mode: 0o600,
    });
    const configured = await runCli(['configure', '--endpoint', server.endpoint, '--admin-key-file', adminKeyFile], {
      env: { ARCA_CONFIG_FILE: profilePath() },
    });
    assert.equal(configured.code, 0, configured.stderr);
    assert.equal(statSync(profilePath()).mode & 0o777, 0o600);
    assert.equal(JSON.parse(readFileSync(profilePath(), 'utf8')).profiles.default.accessKeyId, TEST_ACCESS_KEY_ID);
    const listed = await runCli(['key', 'list', '--output', 'json'], { env: { ARCA_CONFIG_FILE: profilePath() } });
    assert.equal(listed.code, 0, listed.stderr);
  });

  it('a named profile is chosen with --profile or ARCA_PROFILE; a missing one is an error', async () => {
    const configured = await runCli(
      ['configure', '--profile', 'second', '--endpoint', server.endpoint, '--access-key-id', TEST_ACCESS_KEY_ID],
      {
        env: { ARCA_CONFIG_FILE: profilePath(), ARCA_ACCESS_KEY_SECRET: TEST_ACCESS_KEY_SECRET },
      },
    );
    assert.equal(configured.code, 0, configured.stderr);
    const profiles = JSON.parse(readFileSync(profilePath(), 'utf8')).profiles;
    assert.deepEqual(Object.keys(profiles).sort(), ['default', 'second']);
    const viaFlag = await runCli(['key', 'list', '--profile', 'second', '--config', profilePath()], { env: {} });
    assert.equal(viaFlag.code, 0, viaFlag.stderr);
    const viaEnvironment = await runCli(['key', 'list'], { env: { ARCA_CONFIG_FILE: profilePath(), ARCA_PROFILE: 'second' } });
    assert.equal(viaEnvironment.code, 0, viaEnvironment.stderr);
    const missing = await runCli(['key', 'list', '--profile', 'third'], { env: { ARCA_CONFIG_FILE: profilePath() } });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^arca: Config: no profile third in /);
  });

  it('a profile file in a directory others can write is refused, with the chmod to run', async () => {
    const dir = join(work, 'writable-by-all');
    mkdirSync(dir);
    const path = join(dir, 'config.json');
    writeFileSync(path, readFileSync(profilePath()), { mode: 0o600 });
    chmodSync(dir, 0o777);
    const result = await runCli(['key', 'list'], { env: { ARCA_CONFIG_FILE: path } });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `arca: Config: refusing to use the profile file ${path}: the directory ${dir} has mode 0777, writable by group or others, who could replace the file; run: chmod go-w ${dir}\n`,
    );
  });

  for (const mode of [0o644, 0o640, 0o604, 0o660, 0o602]) {
    it(`a profile file with mode ${mode.toString(8).padStart(4, '0')} is refused`, async () => {
      const path = join(work, `loose-${mode.toString(8)}.json`);
      writeFileSync(path, readFileSync(profilePath()));
      chmodSync(path, mode);
      const result = await runCli(['key', 'list'], { env: { ARCA_CONFIG_FILE: path } });
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        new RegExp(`^arca: Config: refusing to use the profile file .*mode is ${mode.toString(8).padStart(4, '0')}.*chmod 600`),
      );
    });
  }

  it('configure refuses to add a profile to a file others can read, and leaves it as it was', async () => {
    const dir = join(work, 'wide');
    mkdirSync(dir);
    const path = join(dir, 'config.json');
    writeFileSync(path, '{"profiles":{}}');
    chmodSync(path, 0o644);
    const result = await runCli(['configure', '--endpoint', server.endpoint, '--access-key-id', 'LTAIx'], {
      env: { ARCA_CONFIG_FILE: path, ARCA_ACCESS_KEY_SECRET: 's' },
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /refusing to use the profile file/);
    assert.equal(statSync(path).mode & 0o777, 0o644);
  });

  it('encrypt-file and decrypt-file work with the environment alone (the outside checks)', async () => {
    await callOk(server, TEST_CREDENTIALS, 'CreateAlias', {
      AliasName: 'alias/env-only',
      KeyId: (await callOk(server, TEST_CREDENTIALS, 'CreateKey', {})).KeyMetadata.KeyId,
    });
    const input = join(work, 'env-only.txt');
    writeFileSync(input, 'hello from the environment\n');
    const sealed = join(work, 'env-only.txt.arca');
    const output = join(work, 'env-only.out');
    const encrypted = await runCli(['encrypt-file', '--key-id', 'alias/env-only', '--in', input, '--out', sealed, '--context', 'k=v'], {
      env,
    });
    assert.equal(encrypted.code, 0, encrypted.stderr);
    assert.equal(encrypted.text, '');
    const decrypted = await runCli(['decrypt-file', '--in', sealed, '--out', output, '--context', 'k=v'], { env });
    assert.equal(decrypted.code, 0, decrypted.stderr);
    assert.equal(readFileSync(output, 'utf8'), 'hello from the environment\n');
  });
});

describe('secrets kept off the command line', () => {
  const secretFile = (): string => join(work, 'access-key-secret');
  const connection = ['--endpoint', '', '--access-key-id', TEST_ACCESS_KEY_ID];
  const withEndpoint = (): string[] => connection.map((arg) => (arg === '' ? server.endpoint : arg));

  before(() => {
    writeFileSync(secretFile(), `${TEST_ACCESS_KEY_SECRET}\n`, { mode: 0o600 });
  });

  it('--access-key-secret-file reads the secret from a file, or from standard input with -, without a warning', async () => {
    const fromFile = await runCli(['key', 'list', '--output', 'json', ...withEndpoint(), '--access-key-secret-file', secretFile()], {
      env: {},
    });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(fromFile.stderr, '');
    assert.equal(typeof fromFile.json().TotalCount, 'number');
    const fromStandardInput = await runCli(['key', 'list', ...withEndpoint(), '--access-key-secret-file', '-'], {
      env: {},
      input: `${TEST_ACCESS_KEY_SECRET}\n`,
    });
    assert.equal(fromStandardInput.code, 0, fromStandardInput.stderr);
    assert.equal(fromStandardInput.stderr, '');
  });

  it('--access-key-secret-file wins over ARCA_ACCESS_KEY_SECRET, like every flag', async () => {
    const result = await runCli(['key', 'list', ...withEndpoint(), '--access-key-secret-file', secretFile()], {
      env: { ARCA_ACCESS_KEY_SECRET: 'wrong-secret' },
    });
    assert.equal(result.code, 0, result.stderr);
  });

  it('an empty secret, both secret flags, or standard input asked for twice: refused before any call', async () => {
    const empty = join(work, 'empty-secret');
    writeFileSync(empty, '\n', { mode: 0o600 });
    const none = await runCli(['key', 'list', ...withEndpoint(), '--access-key-secret-file', empty], { env: {} });
    assert.equal(none.code, 1);
    assert.equal(none.stderr, `arca: Config: no access key secret in ${empty}\n`);
    const both = await runCli(['key', 'list', ...withEndpoint(), '--access-key-secret-file', secretFile(), '--access-key-secret', 'x'], {
      env: {},
    });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^arca: Usage: give --access-key-secret-file or --access-key-secret, not both\n$/m);
    const twice = await runCli(['encrypt', '--key-id', 'k', '--in', '-', ...withEndpoint(), '--access-key-secret-file', '-'], {
      env: {},
      input: 'x',
    });
    assert.equal(twice.code, 2);
    assert.match(
      twice.stderr,
      /^arca: Usage: standard input can carry the access key secret \(--access-key-secret-file -\) or the input \(--in -\), not both\n$/,
    );
  });

  it(
    '--access-key-secret still works, but warns and is overwritten in /proc/<pid>/cmdline as soon as arca starts',
    {
      skip: existsSync('/proc/self/cmdline') ? false : 'no /proc',
    },
    async () => {
      const blob = (
        await callOk(server, TEST_CREDENTIALS, 'Encrypt', {
          KeyId: (await callOk(server, TEST_CREDENTIALS, 'CreateKey', {})).KeyMetadata.KeyId,
          Plaintext: 'kept',
        })
      ).CiphertextBlob as string;
      // decrypt --in - waits for its standard input: meanwhile its command line is read.
      const child = spawnCli(['decrypt', '--in', '-', ...withEndpoint(), '--access-key-secret', TEST_ACCESS_KEY_SECRET], { env: {} });
      const commandLine = (): string => readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
      const deadline = Date.now() + 15_000;
      while (commandLine().includes(TEST_ACCESS_KEY_SECRET)) {
        if (Date.now() > deadline) {
          child.kill();
          assert.fail('the secret stays readable in /proc/<pid>/cmdline');
        }
        await sleep(10);
      }
      assert.match(commandLine(), /^arca decrypt --in - .*--access-key-secret <hidden>/);
      const result = await collectCli(child, `${blob}\n`);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.text, 'kept\n');
      assert.match(
        result.stderr,
        /^arca: WARNING: --access-key-secret puts a secret on the command line, where every user of this machine can read it .*ARCA_ACCESS_KEY_SECRET.*--access-key-secret-file/,
      );
      assert.equal(result.stderr.split('\n').length, 2, 'one line');
    },
  );

  it('encrypt --plaintext still works but warns; --in - takes the text from standard input without a warning', async () => {
    const keyId = (await callOk(server, TEST_CREDENTIALS, 'CreateKey', {})).KeyMetadata.KeyId as string;
    const flagged = await runCli(['encrypt', '--key-id', keyId, '--plaintext', 'the launch code'], { env });
    assert.equal(flagged.code, 0, flagged.stderr);
    assert.match(flagged.stderr, /^arca: WARNING: --plaintext puts a secret on the command line, .*--in -/);
    const piped = await runCli(['encrypt', '--key-id', keyId, '--in', '-'], { env, input: 'the launch code' });
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stderr, '');
    assert.equal(await ok(['decrypt', '--ciphertext-blob', piped.text.trim()]), 'the launch code\n');
  });
});
