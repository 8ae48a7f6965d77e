import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsScope } from '../aws/aws-arn.js';
import { ConfigError } from '../config/config-error.js';
import { SETTINGS } from '../config/settings.js';

export const AWS_SCOPE_FILE_NAME = 'aws-scope.json';

/**
 * A key's AWS Arn (`arn:aws:kms:<region>:<account>:key/<id>`) must stay the same for the key's
 * life: the AWS Encryption SDK stores it in every message and will only decrypt with a keyring
 * naming it. The first start writes the AWS region and account to the data directory; every
 * later start with other values is refused, naming the setting, rather than re-name every key.
 */
export function pinAwsScope(dataDir: string, scope: AwsScope): void {
  const path = join(dataDir, AWS_SCOPE_FILE_NAME);
  if (!existsSync(path)) {
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, `${JSON.stringify({ region: scope.region, accountId: scope.accountId })}\n`, { mode: 0o600 });
    renameSync(partial, path);
    return;
  }
  const pinned = readPinned(path);
  if (pinned.region !== scope.region) throw pinnedError(SETTINGS.awsRegion.key, pinned.region);
  if (pinned.accountId !== scope.accountId) throw pinnedError(SETTINGS.awsAccountId.key, pinned.accountId);
}

function readPinned(path: string): AwsScope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ConfigError(SETTINGS.awsRegion.key, `${AWS_SCOPE_FILE_NAME} in the data directory cannot be read`);
  }
  const { region, accountId } = (parsed ?? {}) as Partial<Record<string, unknown>>;
  if (typeof region !== 'string' || typeof accountId !== 'string') {
    throw new ConfigError(SETTINGS.awsRegion.key, `${AWS_SCOPE_FILE_NAME} in the data directory is not a pinned AWS scope`);
  }
  return { region, accountId };
}

function pinnedError(key: string, pinned: string): ConfigError {
  return new ConfigError(
    key,
    `this data directory's keys have AWS Arns with ${pinned} (${AWS_SCOPE_FILE_NAME}); an Arn is fixed for a key's life, so the setting cannot change`,
  );
}
