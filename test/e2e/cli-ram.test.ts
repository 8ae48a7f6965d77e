// `arca user …`, `arca access-key …`, `arca group …` and `arca policy …` of the compiled CLI
// against a real server, signed with the administrator's key: the walk from a new user to an
// access key under an encrypt-only policy, its deactivation and deletion, and the clean-up.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { callAcs3 } from '../support/acs3-signer.js';
import { runCli, serverEnvironment } from '../support/arca-cli.js';
import { ensureBuilt } from '../support/arca-process.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ONE_ERROR_LINE = /^arca: [^\n]+\n$/;
const ENCRYPT_ONLY = JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt'], Resource: ['acs:kms:*:*:key/*'] }],
});

let server: TestServer;
let env: Record<string, string>;
let work: string;

before(async () => {
  ensureBuilt();
  server = await startTestServer();
  env = serverEnvironment(server);
  work = newDataDir('arca-cli-ram-');
});

after(async () => {
  await server?.close();
  removeDataDirs();
});

async function ok(args: readonly string[]): Promise<string> {
  const result = await runCli(args, { env });
  assert.equal(result.code, 0, `arca ${args.join(' ')}: ${result.stderr}`);
  return result.text;
}

async function json(args: readonly string[]): Promise<any> {
  return JSON.parse(await ok([...args, '--output', 'json']));
}

describe('arca user, access-key, group and policy commands', () => {
  let accessKeyId: string;
  let accessKeySecret: string;

  it('user create / get / update / list', async () => {
    const table = await ok(['user', 'create', 'payroll', '--comments', 'the payroll service']);
    assert.match(table, /^UserName\s+payroll$/m);
    assert.match(table, /^UserId\s+\d{16}$/m);
    assert.equal((await json(['user', 'get', 'payroll'])).User.Comments, 'the payroll service');
    assert.equal((await json(['user', 'update', 'payroll', '--display-name', 'Payroll'])).User.DisplayName, 'Payroll');
    assert.match(await ok(['user', 'list']), /^payroll\s+\d{16}\s+Payroll\s/m);
  });

  it('policy create from a file and from standard input; version create / list / delete; get; list', async () => {
    const file = join(work, 'encrypt-only.json');
    writeFileSync(file, ENCRYPT_ONLY);
    assert.match(
      await ok(['policy', 'create', 'EncryptPayroll', '--document', file, '--description', 'payroll encrypts']),
      /created policy EncryptPayroll/,
    );
    const fromStdin = await runCli(['policy', 'version', 'create', 'EncryptPayroll', '--document', '-', '--set-default'], {
      env,
      input: ENCRYPT_ONLY,
    });
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.match(fromStdin.text, /created v2 of EncryptPayroll/);
    const versions = await ok(['policy', 'version', 'list', 'EncryptPayroll']);
    assert.match(versions, /^v1\s+false\s/m);
    assert.match(versions, /^v2\s+true\s/m);
    await ok(['policy', 'version', 'delete', 'EncryptPayroll', 'v1']);
    const got = await json(['policy', 'get', 'EncryptPayroll']);
    assert.equal(got.Policy.DefaultVersion, 'v2');
    assert.equal(got.DefaultPolicyVersion.PolicyDocument, ENCRYPT_ONLY);
    assert.match(await ok(['policy', 'get', 'AliyunKMSFullAccess', '--system']), /^PolicyType\s+System$/m);
    assert.match(await ok(['policy', 'list', '--type', 'Custom']), /^EncryptPayroll\s+Custom\s+v2\s+0\s/m);
  });

  it('a malformed document is refused in one line naming the element, exit code 1', async () => {
    const file = join(work, 'bad.json');
    writeFileSync(file, '{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Principal":{"RAM":["*"]}}]}');
    const result = await runCli(['policy', 'create', 'Bad', '--document', file], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, ONE_ERROR_LINE);
    assert.match(result.stderr, /^arca: MalformedPolicyDocument: .*Principal/);
  });

  it('user attach-policy / policies; group create / attach-policy; user add-to-group / groups', async () => {
    await ok(['user', 'attach-policy', 'payroll', 'EncryptPayroll']);
    assert.match(await ok(['user', 'policies', 'payroll']), /^EncryptPayroll\s+Custom\s+v2\s/m);
    assert.match(await ok(['group', 'create', 'apps']), /^GroupName\s+apps$/m);
    await ok(['group', 'attach-policy', 'apps', 'AliyunKMSFullAccess', '--system']);
    await ok(['user', 'add-to-group', 'payroll', 'apps']);
    assert.match(await ok(['user', 'groups', 'payroll']), /^apps\s+\d{16}\s/m);
  });

  it('access-key create shows the secret once; list never does; the key signs as the user', async () => {
    const created = await runCli(['access-key', 'create', 'payroll'], { env });
    assert.equal(created.code, 0, created.stderr);
    accessKeyId = /^AccessKeyId\s+(\S+)$/m.exec(created.text)?.[1] ?? '';
    accessKeySecret = /^AccessKeySecret\s+(\S+)$/m.exec(created.text)?.[1] ?? '';
    assert.match(accessKeyId, /^LTAI[A-Za-z0-9]{20}$/);
    assert.match(created.stderr, /never shown again/);
    const listed = await ok(['access-key', 'list', 'payroll']);
    assert.match(listed, new RegExp(`^${accessKeyId}\\s+Active\\s`, 'm'));
    assert.equal(listed.includes(accessKeySecret), false);
    // Allowed through the group's AliyunKMSFullAccess.
    const signed = await callAcs3(server, { accessKeyId, accessKeySecret }, 'ListKeys', {});
    assert.equal(signed.status, 200, signed.text);
  });

  it('removing the user from the group takes the group’s policy away on the next request, adding it back returns it', async () => {
    await ok(['user', 'remove-from-group', 'payroll', 'apps']);
    const refused = await callAcs3(server, { accessKeyId, accessKeySecret }, 'ListKeys', {});
    // EncryptPayroll alone allows kms:Encrypt, not kms:ListKeys.
    assert.deepEqual([refused.status, refused.json?.Code], [403, 'Forbidden.RAM']);
    await ok(['user', 'add-to-group', 'payroll', 'apps']);
    assert.equal((await callAcs3(server, { accessKeyId, accessKeySecret }, 'ListKeys', {})).status, 200);
  });

  it('access-key deactivate / activate / delete take effect on the next request', async () => {
    await ok(['access-key', 'deactivate', 'payroll', accessKeyId]);
    assert.equal((await callAcs3(server, { accessKeyId, accessKeySecret }, 'ListKeys', {})).json?.Code, 'InvalidAccessKeyId.NotFound');
    await ok(['access-key', 'activate', 'payroll', accessKeyId]);
    assert.equal((await callAcs3(server, { accessKeyId, accessKeySecret }, 'ListKeys', {})).status, 200);
    const refused = await runCli(['user', 'delete', 'payroll'], { env });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^arca: DeleteConflict\.User\.AccessKey: /);
    await ok(['access-key', 'delete', 'payroll', accessKeyId]);
    assert.equal((await callAcs3(server, { accessKeyId, accessKeySecret }, 'ListKeys', {})).json?.Code, 'InvalidAccessKeyId.NotFound');
  });

  it('the clean-up: detach, remove from the group, delete the policy and the user', async () => {
    await ok(['user', 'detach-policy', 'payroll', 'EncryptPayroll']);
    await ok(['group', 'detach-policy', 'apps', 'AliyunKMSFullAccess', '--system']);
    await ok(['user', 'remove-from-group', 'payroll', 'apps']);
    await ok(['policy', 'delete', 'EncryptPayroll']);
    await ok(['user', 'delete', 'payroll']);
    const gone = await runCli(['user', 'get', 'payroll'], { env });
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /^arca: EntityNotExist\.User: /);
  });

  it('every command has --help with an example', async () => {
    const commands = [
      ['user'],
      ...[
        'create',
        'get',
        'update',
        'list',
        'delete',
        'attach-policy',
        'detach-policy',
        'policies',
        'add-to-group',
        'remove-from-group',
        'groups',
      ].map((name) => ['user', name]),
      ['access-key'],
      ...['create', 'list', 'activate', 'deactivate', 'delete'].map((name) => ['access-key', name]),
      ['group'],
      ...['create', 'attach-policy', 'detach-policy'].map((name) => ['group', name]),
      ['policy'],
      ...['create', 'get', 'list', 'delete', 'version'].map((name) => ['policy', name]),
      ...['create', 'list', 'delete'].map((name) => ['policy', 'version', name]),
    ];
    for (const command of commands) {
      const result = await runCli([...command, '--help']);
      assert.equal(result.code, 0, `arca ${command.join(' ')} --help`);
      assert.match(result.text, /\nExample:\n {2}arca /, `arca ${command.join(' ')} --help has an example`);
    }
  });
});
