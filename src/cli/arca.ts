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
import type { Pkcs11Options } from '../main.js';

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

function workerCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > MAX_WORKERS) throw new InvalidArgumentError(`a whole number from 1 to ${MAX_WORKERS}`);
  return count;
}

const MAX_WORKERS = 64;
function requestsPerSecond(value: string): number {
  const rate = Number(value);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || !(rate > 0) || rate > 1_000_000) {
    throw new InvalidArgumentError('a rate is a number of requests per second above 0, at most 1000000');
  }
  return rate;
}

function burstSize(value: string): number {
  const burst = Number(value);
  if (!/^[0-9]+$/.test(value) || burst < 1 || burst > 1_000_000) throw new InvalidArgumentError('a burst is a whole number, 1 to 1000000');
  return burst;
}

interface ServerCommandOptions {
  host: string;
  port: number;
  dataDir: string;
  region: string;
  accountId: string;
  minRotationInterval: number;
  jobInterval: number;
  workers: number;
  rateLimit?: number;
  rateLimitBurst?: number;
  pkcs11Module?: string;
  pkcs11TokenLabel?: string;
  pkcs11RootKeyLabel?: string;
}

/** The PKCS#11 settings, when given; the module and the token label go together. */
function pkcs11Options(options: ServerCommandOptions): Pkcs11Options | undefined {
  const { pkcs11Module, pkcs11TokenLabel, pkcs11RootKeyLabel } = options;
  if (pkcs11Module === undefined && pkcs11TokenLabel === undefined) {
    if (pkcs11RootKeyLabel !== undefined) throw new Error('--pkcs11-root-key-label needs --pkcs11-module and --pkcs11-token-label');
    return undefined;
  }
  if (pkcs11Module === undefined || pkcs11TokenLabel === undefined) throw new Error('--pkcs11-module and --pkcs11-token-label go together');
  return { modulePath: pkcs11Module, tokenLabel: pkcs11TokenLabel, ...(pkcs11RootKeyLabel === undefined ? {} : { rootKeyLabel: pkcs11RootKeyLabel }) };
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
    new Option('--job-interval <duration>', 'how often automatic rotation, deletion and material expiry run')
      .argParser(jobIntervalMs)
      .default(DEFAULT_JOB_INTERVAL_MS, '60s'),
  )
  .option('--workers <n>', 'worker processes sharing the port (Node cluster); 1 runs no cluster', workerCount, 1)
  .option('--rate-limit <requests per second>', 'throttle each access key to this rate (429 Rejected.Throttling); off by default', requestsPerSecond)
  .option('--rate-limit-burst <requests>', 'requests an idle access key may send at once (default: one second of --rate-limit)', burstSize)
  .option('--pkcs11-module <path>', 'PKCS#11 library for the HSM protection level (e.g. /usr/lib/softhsm/libsofthsm2.so)')
  .option('--pkcs11-token-label <label>', 'label of the PKCS#11 token to use (PIN from ARCA_PKCS11_PIN)')
  .option('--pkcs11-root-key-label <label>', 'keep the root key in the token under this label instead of <data-dir>/root.key')
  .addHelpText(
    'after',
    `
Environment:
  ARCA_ACCESS_KEY_ID, ARCA_ACCESS_KEY_SECRET  an administrator access key that must exist
  ARCA_ROOT_KEY                               base64 of a 32-byte root key (instead of <data-dir>/root.key)
  ARCA_PKCS11_PIN                             the PKCS#11 token's user PIN (with --pkcs11-module)
  ARCA_LOG_LEVEL                              pino log level (default info)

Example:
  arca server --port 0 --data-dir /var/lib/arca`,
  )
  .action(async (options: ServerCommandOptions) => {
    const { minRotationInterval, jobInterval, workers, rateLimit, rateLimitBurst } = options;
    if (rateLimitBurst !== undefined && rateLimit === undefined) throw new Error('--rate-limit-burst needs --rate-limit');
    const pkcs11 = pkcs11Options(options);
    // Loaded here, not at the top: client commands need none of the server.
    const { startServer } = await import('../main.js');
    const { startCluster } = await import('../cluster/primary.js');
    const serverOptions = {
      host: options.host,
      port: options.port,
      dataDir: options.dataDir,
      region: options.region,
      accountId: options.accountId,
      ...(pkcs11 ? { pkcs11 } : {}),
      minRotationIntervalSeconds: minRotationInterval,
      jobIntervalMs: jobInterval,
      ...(rateLimit === undefined ? {} : { rateLimit: { requestsPerSecond: rateLimit, ...(rateLimitBurst === undefined ? {} : { burst: rateLimitBurst }) } }),
      environment: process.env,
    };
    const server = workers > 1 ? await startCluster(serverOptions, workers) : await startServer(serverOptions);
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
