// A key's AWS Arn stays the same for its life: the data directory pins the AWS region and account
// it was first started with, and a start with others is refused, naming the setting.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { AWS_SCOPE_FILE_NAME, pinAwsScope } from '../../src/bootstrap/aws-scope-pin.js';
import { killAllArcas, randomCredentials, spawnArca } from '../support/arca-process.js';
import { ConfigError } from '../../src/config/config-error.js';

const dirs: string[] = [];
const newDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'arca-aws-pin-'));
  dirs.push(dir);
  return dir;
};
after(() => {
  killAllArcas();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const scope = { region: 'eu-west-1', accountId: '111122223333' };

describe('the AWS scope pin', () => {
  it('is written on the first start, readable by the owner only, and accepts the same values again', () => {
    const dir = newDir();
    pinAwsScope(dir, scope);
    const path = join(dir, AWS_SCOPE_FILE_NAME);
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), scope);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    pinAwsScope(dir, scope);
  });

  it('refuses another region or account, naming the setting', () => {
    const dir = newDir();
    pinAwsScope(dir, scope);
    assert.throws(
      () => pinAwsScope(dir, { ...scope, region: 'us-east-1' }),
      (error: unknown) => error instanceof ConfigError && error.key === 'aws.region' && /eu-west-1/.test(error.message),
    );
    assert.throws(
      () => pinAwsScope(dir, { ...scope, accountId: '000000000000' }),
      (error: unknown) => error instanceof ConfigError && error.key === 'aws.account-id',
    );
  });

  it('refuses a pin file it cannot read rather than pin again', () => {
    const dir = newDir();
    writeFileSync(join(dir, AWS_SCOPE_FILE_NAME), 'not json');
    assert.throws(() => pinAwsScope(dir, scope), ConfigError);
  });

  it('keeps a server from starting with another --aws-account-id on the same data directory (exit code 2)', async () => {
    const dataDir = newDir();
    const credentials = randomCredentials('pin');
    const first = await spawnArca({ dataDir, credentials, args: ['--aws-account-id', '111122223333'] });
    await first.stop();
    await assert.rejects(
      spawnArca({ dataDir, credentials, args: ['--aws-account-id', '444455556666'] }),
      /exited \(2\) before listening[\s\S]*aws\.account-id.*111122223333/,
    );
  });
});
