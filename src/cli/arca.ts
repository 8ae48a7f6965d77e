#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  DEFAULT_MIN_ROTATION_INTERVAL_SECONDS,
  MAX_ROTATION_INTERVAL_SECONDS,
  parseDurationSeconds,
} from '../domain/rotation-interval.js';
import { MAX_JOB_INTERVAL_MS } from '../jobs/scheduler.js';
import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_DATA_DIR,
  DEFAULT_HOST,
  DEFAULT_JOB_INTERVAL_MS,
  DEFAULT_PORT,
  DEFAULT_REGION,
} from '../server-defaults.js';
import { USAGE_EXIT_CODE } from './client/client-command.js';
import { registerClientCommands } from './commands/index.js';

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('a port is 0 to 65535');
  return port;
}

function durationSeconds(value: string): number {
  const seconds = parseDurationSeconds(value);
  if (seconds === undefined) throw new InvalidArgumentError('a duration is a whole number and a unit, d, h, m or s: 7d, 12h, 90m, 2s');
  return seconds;
}

function minRotationIntervalSeconds(value: string): number {
  const seconds = durationSeconds(value);
  if (seconds > MAX_ROTATION_INTERVAL_SECONDS) throw new InvalidArgumentError('at most 730d, the longest RotationInterval');
  return seconds;
}

function jobIntervalMs(value: string): number {
  const milliseconds = durationSeconds(value) * 1000;
  if (milliseconds > MAX_JOB_INTERVAL_MS) throw new InvalidArgumentError('at most 24d');
  return milliseconds;
}

interface ServerCommandOptions {
  host: string;
  port: number;
  dataDir: string;
  region: string;
  accountId: string;
  minRotationInterval: number;
  jobInterval: number;
}

const program = new Command()
  .name('arca')
  .description('Arca: a self-hosted KMS that speaks the Alibaba Cloud KMS API (2016-01-20)')
  // Usage mistakes exit with 2 (see the catch below), failures of a command with 1.
  .exitOverride();

program
  .command('server')
  .description('run the KMS server')
  .option('--host <host>', 'address to listen on', DEFAULT_HOST)
  .option('--port <port>', 'port to listen on (0 picks a free one)', portNumber, DEFAULT_PORT)
  .option('--data-dir <dir>', 'where the database and the root key file live', DEFAULT_DATA_DIR)
  .option('--region <region>', 'region named in Arns', DEFAULT_REGION)
  .option('--account-id <id>', 'account id named in Arns', DEFAULT_ACCOUNT_ID)
  .addOption(
    new Option('--min-rotation-interval <duration>', 'shortest RotationInterval a key may have')
      .argParser(minRotationIntervalSeconds)
      .default(DEFAULT_MIN_ROTATION_INTERVAL_SECONDS, '7d'),
  )
  .addOption(
    new Option('--job-interval <duration>', 'how often automatic rotation and deletion run')
      .argParser(jobIntervalMs)
      .default(DEFAULT_JOB_INTERVAL_MS, '60s'),
  )
  .addHelpText(
    'after',
    `
Environment:
  ARCA_ACCESS_KEY_ID, ARCA_ACCESS_KEY_SECRET  an administrator access key that must exist
  ARCA_ROOT_KEY                               base64 of a 32-byte root key (instead of <data-dir>/root.key)
  ARCA_LOG_LEVEL                              pino log level (default info)

Example:
  arca server --port 0 --data-dir /var/lib/arca`,
  )
  .action(async (options: ServerCommandOptions) => {
    const { minRotationInterval, jobInterval, ...placement } = options;
    // Loaded here, not at the top: client commands need none of the server.
    const { startServer } = await import('../main.js');
    const server = await startServer({
      ...placement,
      minRotationIntervalSeconds: minRotationInterval,
      jobIntervalMs: jobInterval,
      environment: process.env,
    });
    const stop = (): void => {
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

registerClientCommands(program);
program.addHelpText(
  'after',
  `
Example:
  arca server --data-dir ./data
  arca configure --endpoint 127.0.0.1:8080 --admin-key-file data/admin-access-key.json
  arca encrypt-file --key-id alias/backups --in notes.txt --out notes.txt.arca`,
);

program.parseAsync().catch((error: unknown) => {
  // Commander has already printed its message (or the help, whose exit code is 0).
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : USAGE_EXIT_CODE);
  process.stderr.write(`arca: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
