import { existsSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { readEvents, exportLine, type EventFilter, type LocatedEvent } from '../../audit/read-trail.js';
import { AUDIT_KEY_FILE_NAME, publicKeyPathFor, readVerifyingKey } from '../../audit/signing-key.js';
import { SqliteAuditStore } from '../../audit/sqlite-audit-store.js';
import { verifyTrail, type TrailVerification } from '../../audit/verify-trail.js';
import { databasePathIn } from '../../bootstrap/data-directory.js';
import { parseDurationSeconds } from '../../domain/rotation-interval.js';
import { FAILURE_EXIT_CODE, reportFailure, withExample } from '../client/client-command.js';
import { OutputFormat, writeTable } from '../client/output.js';

interface DataDirOptions {
  readonly dataDir: string;
}

interface FilterOptions extends DataDirOptions {
  readonly since?: number;
  readonly until?: number;
}

/**
 * A time: ISO 8601 (`2026-12-01`, `2026-12-01T08:00:00Z`), milliseconds since the epoch, or a
 * duration back from now (`24h`, `7d`).
 */
export function parseTime(text: string, now = Date.now()): number {
  if (/^[0-9]{1,15}$/.test(text)) return Number(text);
  const seconds = parseDurationSeconds(text);
  if (seconds !== undefined) return now - seconds * 1000;
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new InvalidArgumentError('expected an ISO 8601 time, milliseconds since the epoch, or a duration back from now (24h, 7d)');
  return ms;
}

/** Writes a line to standard output, waiting while its buffer is full; a closed pipe ends the export quietly. */
function writeToStdout(line: string): Promise<void> {
  if (process.stdout.write(line)) return Promise.resolve();
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
}

function withDataDir(command: Command): Command {
  return command.requiredOption('--data-dir <dir>', 'the data directory (or a copy of it): arca.db and its -wal');
}

function withTimeRange(command: Command): Command {
  return command
    .option('--since <time>', 'events at or after this time (ISO 8601, epoch ms, or 24h / 7d back)', (text) => parseTime(text))
    .option('--until <time>', 'events before this time', (text) => parseTime(text));
}

/** Opens the trail for reading, runs `work`, closes it; failures are one line on stderr and exit 1. */
async function withTrail(dataDir: string, work: (store: SqliteAuditStore) => Promise<void>): Promise<void> {
  process.exitCode = FAILURE_EXIT_CODE;
  let store: SqliteAuditStore | undefined;
  try {
    const path = databasePathIn(dataDir);
    if (!existsSync(path)) throw new Error(`no database at ${path}`);
    store = SqliteAuditStore.openForReading(path);
    await work(store);
  } catch (error) {
    reportFailure(error);
  } finally {
    await store?.close();
  }
}

function defaultPublicKeyPath(dataDir: string): string {
  const publicKey = publicKeyPathFor(join(dataDir, AUDIT_KEY_FILE_NAME));
  if (existsSync(publicKey)) return publicKey;
  const privateKey = join(dataDir, AUDIT_KEY_FILE_NAME);
  if (existsSync(privateKey)) return privateKey;
  throw new Error(`no audit public key in ${dataDir}: pass --public-key <file> (the .pub beside the --audit-key-file)`);
}

function writeVerification(out: Writable, report: TrailVerification): void {
  for (const chain of report.chains) {
    const state = chain.finished ? 'closed' : 'open (running, or stopped without a final checkpoint)';
    out.write(
      `chain ${chain.chainId}: records ${chain.firstSequence}..${chain.lastSequence}, ${chain.checkpoints} checkpoints, ${state}\n`,
    );
  }
  for (const problem of report.problems) {
    const names = [problem.eventId && `event ${problem.eventId}`, problem.requestId && `request ${problem.requestId}`].filter(Boolean);
    out.write(
      `FAIL chain ${problem.chainId} sequence ${problem.sequence}${names.length > 0 ? ` (${names.join(', ')})` : ''}: ${problem.message}\n`,
    );
  }
  out.write(
    report.ok ? `OK: ${report.records} records in ${report.chains.length} chains verified\n` : 'FAILED: the audit trail does not verify\n',
  );
}

function filterFrom(options: FilterOptions & { action?: string; key?: string; principal?: string; result?: string }): EventFilter {
  return {
    ...(options.since === undefined ? {} : { since: options.since }),
    ...(options.until === undefined ? {} : { until: options.until }),
    ...(options.action === undefined ? {} : { action: options.action }),
    ...(options.key === undefined ? {} : { key: options.key }),
    ...(options.principal === undefined ? {} : { principal: options.principal }),
    ...(options.result === undefined ? {} : { result: options.result }),
  };
}

function keysOf(located: LocatedEvent): string {
  const keys = located.event.resources.map((resource) => resource.keyId ?? resource.aliasName).filter((name) => name !== undefined);
  return [...new Set(keys)].join(',');
}

/** `arca audit verify|export|query`: the trail in a data directory, read offline. */
export function registerAuditCommands(program: Command): void {
  const audit = withExample(
    program.command('audit').description('verify, export and query the audit trail of a data directory (offline)'),
    'arca audit verify --data-dir /var/lib/arca',
  );

  const verify = withDataDir(
    audit.command('verify').description('check every chain and signed checkpoint; exit 0 only when all holds'),
  ).option('--public-key <file>', 'the checkpoint verifying key (PEM) from a trusted place; default <data-dir>/audit-signing.pub');
  withExample(verify, 'arca audit verify --data-dir /var/lib/arca --public-key /etc/arca/audit-signing.pub').action(
    (options: DataDirOptions & { publicKey?: string }) =>
      withTrail(options.dataDir, async (store) => {
        const publicKey = readVerifyingKey(options.publicKey ?? defaultPublicKeyPath(options.dataDir));
        const report = await verifyTrail(store, publicKey);
        writeVerification(process.stdout, report);
        process.exitCode = report.ok ? 0 : FAILURE_EXIT_CODE;
      }),
  );

  const exportCommand = withTimeRange(
    withDataDir(audit.command('export').description('write events as JSON lines, one per event, in time order')),
  ).requiredOption('--out <file|->', 'the file to write (created, mode 0600; it must not exist), or - for standard output');
  withExample(exportCommand, 'arca audit export --data-dir /var/lib/arca --since 2026-12-01 --out trail.jsonl').action(
    (options: FilterOptions & { out: string }) =>
      withTrail(options.dataDir, async (store) => {
        if (options.out === '-') exitQuietlyOnClosedPipe();
        const out = options.out === '-' ? undefined : await openFile(options.out, 'wx', 0o600);
        let count = 0;
        try {
          for await (const located of readEvents(store, filterFrom(options))) {
            const line = exportLine(located);
            if (out) await out.write(line);
            else await writeToStdout(line);
            count += 1;
          }
          await out?.sync();
        } finally {
          await out?.close();
        }
        if (out) process.stderr.write(`${count} events written to ${options.out}\n`);
        process.exitCode = 0;
      }),
  );

  const query = withTimeRange(withDataDir(audit.command('query').description('find events: by time, action, key, principal, result')))
    .option('--action <name>', 'the action (eventName), e.g. Decrypt')
    .option('--key <id>', 'a key id, key Arn, alias name or key version id the event names')
    .option('--principal <name>', 'the principal or the access key id')
    .option('--result <result>', 'Success, Failure, or an error code (e.g. Forbidden.NoPermission)')
    .addOption(
      new Option('--output <format>', 'table or json').choices([OutputFormat.Table, OutputFormat.Json]).default(OutputFormat.Table),
    );
  withExample(query, 'arca audit query --data-dir /var/lib/arca --since 24h --action Decrypt --result Failure').action(
    (options: FilterOptions & { action?: string; key?: string; principal?: string; result?: string; output: OutputFormat }) =>
      withTrail(options.dataDir, async (store) => {
        const found: LocatedEvent[] = [];
        for await (const located of readEvents(store, filterFrom(options))) found.push(located);
        if (options.output === OutputFormat.Json) {
          process.stdout.write(
            `${JSON.stringify(
              found.map((located) => located.event),
              null,
              2,
            )}\n`,
          );
        } else {
          writeTable(
            process.stdout,
            ['TIME', 'ACTION', 'RESULT', 'PRINCIPAL', 'KEYS', 'REQUEST ID'],
            found.map(({ event, ...where }) => [
              event.eventTime,
              event.eventName,
              event.errorCode ?? 'Success',
              event.userIdentity.principalId ?? event.userIdentity.accessKeyId,
              keysOf({ event, ...where }),
              event.requestId,
            ]),
          );
        }
        process.exitCode = 0;
      }),
  );
}
