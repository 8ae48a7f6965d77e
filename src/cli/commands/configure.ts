import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { checkEndpoint } from '../client/connection.js';
import { reportFailure, withExample } from '../client/client-command.js';
import { defaultProfilePath, type Profile, writeProfile } from '../client/profile-file.js';

interface ConfigureOptions {
  readonly profile: string;
  readonly config?: string;
  readonly endpoint: string;
  readonly accessKeyId?: string;
  readonly adminKeyFile?: string;
}

/**
 * `arca configure`: writes a profile (mode 0600). The secret is never a flag here: it comes from
 * ARCA_ACCESS_KEY_SECRET or from the server's admin-access-key.json.
 */
export function registerConfigureCommand(program: Command): void {
  const command = program
    .command('configure')
    .description('save an endpoint and credentials as a profile in the profile file (mode 0600)')
    .requiredOption('--endpoint <endpoint>', 'Arca endpoint, host:port or http(s)://host:port')
    .option('--admin-key-file <file>', "take the credentials from a server's admin-access-key.json")
    .option('--access-key-id <id>', 'access key id (the secret comes from ARCA_ACCESS_KEY_SECRET)')
    .option('--profile <name>', 'profile name', 'default')
    .option('--config <file>', 'profile file (env ARCA_CONFIG_FILE; default ~/.arca/config.json)');
  withExample(
    command,
    'arca configure --endpoint 127.0.0.1:8080 --admin-key-file data/admin-access-key.json',
    'ARCA_ACCESS_KEY_SECRET=… arca configure --profile prod --endpoint https://kms.example:8443 --access-key-id LTAI…',
  ).action((options: ConfigureOptions) => {
    try {
      checkEndpoint(options.endpoint);
      const profile: Profile = { endpoint: options.endpoint, ...credentialsFor(options) };
      const path = options.config ?? defaultProfilePath(process.env);
      writeProfile(path, options.profile, profile);
      process.stdout.write(`saved profile ${options.profile} in ${path}\n`);
    } catch (error) {
      reportFailure(error);
    }
  });
}

function credentialsFor(options: ConfigureOptions): { accessKeyId: string; accessKeySecret: string } {
  if (options.adminKeyFile !== undefined) {
    if (options.accessKeyId !== undefined) throw new InvalidArgumentError('give --admin-key-file or --access-key-id, not both');
    const parsed: unknown = JSON.parse(readFileSync(options.adminKeyFile, 'utf8'));
    const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    if (typeof fields.AccessKeyId !== 'string' || typeof fields.AccessKeySecret !== 'string') {
      throw new InvalidArgumentError(`${options.adminKeyFile} has no AccessKeyId and AccessKeySecret`);
    }
    return { accessKeyId: fields.AccessKeyId, accessKeySecret: fields.AccessKeySecret };
  }
  const secret = process.env.ARCA_ACCESS_KEY_SECRET;
  const accessKeyId = options.accessKeyId ?? process.env.ARCA_ACCESS_KEY_ID;
  if (accessKeyId === undefined || secret === undefined || secret === '') {
    throw new InvalidArgumentError('give --admin-key-file, or --access-key-id (or ARCA_ACCESS_KEY_ID) with ARCA_ACCESS_KEY_SECRET set');
  }
  return { accessKeyId, accessKeySecret: secret };
}
