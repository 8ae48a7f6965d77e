import { type Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { KmsApiError, type KmsClient, KmsTransportError } from '../../client/kms-client.js';
import { EnvelopeError } from '../../envelope/envelope-error.js';
import { type ConnectionOptions, connect } from './connection.js';
import { OutputFormat } from './output.js';
import { ProfileFileError } from './profile-file.js';

export interface ClientOptions extends ConnectionOptions {
  readonly output: OutputFormat;
}

/** Adds the connection and output options every client command takes. */
export function withClientOptions(command: Command): Command {
  return command
    .option('--endpoint <endpoint>', 'Arca endpoint, host:port or http(s)://host:port (env ARCA_ENDPOINT)')
    .option('--access-key-id <id>', 'access key id (env ARCA_ACCESS_KEY_ID)')
    .option(
      '--access-key-secret-file <path|->',
      'read the access key secret from a file, or - for standard input (else env ARCA_ACCESS_KEY_SECRET or the profile)',
    )
    .option('--access-key-secret <secret>', 'access key secret; every local user can read it (ps): avoid, it warns')
    .option('--profile <name>', 'profile in the profile file (env ARCA_PROFILE; default "default")')
    .option('--config <file>', 'profile file (env ARCA_CONFIG_FILE; default ~/.arca/config.json)')
    .addOption(
      new Option('--output <format>', 'output format').choices([OutputFormat.Table, OutputFormat.Json]).default(OutputFormat.Table),
    );
}

/** Adds an `Example:` section to the command's help. */
export function withExample(command: Command, ...examples: string[]): Command {
  return command.addHelpText('after', `\nExample:\n${examples.map((example) => `  ${example}`).join('\n')}`);
}

/**
 * Runs a client action with a connected client, and turns every failure into one line on
 * stderr and exit code 1: `arca: <Code>: <message>`, with the RequestId for API errors.
 */
export async function runWithClient(options: ClientOptions, action: (client: KmsClient) => Promise<void>): Promise<void> {
  let client: KmsClient | undefined;
  // Until the action has finished, the exit code is 1: if a bug ever left a promise pending and
  // the event loop ran dry, the process must not exit as if it had succeeded.
  process.exitCode = FAILURE_EXIT_CODE;
  try {
    client = connect(options);
    await action(client);
    process.exitCode = 0;
  } catch (error) {
    reportFailure(error);
  } finally {
    client?.close();
  }
}

/** Writes the one-line error and sets the exit code: 1, or 2 for a usage mistake. */
export function reportFailure(error: unknown): void {
  process.stderr.write(`arca: ${describeFailure(error)}\n`);
  // Usage mistakes found inside an action exit like commander's own: 2.
  process.exitCode = error instanceof CommanderError ? USAGE_EXIT_CODE : FAILURE_EXIT_CODE;
}

export const FAILURE_EXIT_CODE = 1;
export const USAGE_EXIT_CODE = 2;

export function describeFailure(error: unknown): string {
  if (error instanceof KmsApiError) {
    return `${error.message} (HTTP ${error.httpStatus}${error.requestId === undefined ? '' : `, RequestId ${error.requestId}`})`;
  }
  if (error instanceof EnvelopeError) return `${error.code}: ${error.message}`;
  if (error instanceof KmsTransportError) return `Connection: ${error.message}`;
  if (error instanceof ProfileFileError) return `Config: ${error.message}`;
  if (error instanceof CommanderError) return `Usage: ${error.message}`;
  if (isSystemError(error)) return `IO: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    typeof (error as NodeJS.ErrnoException).syscall === 'string'
  );
}

/** Collects a repeatable `--context k=v` option into a record. */
export function collectContext(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const equals = value.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError('expected key=value');
  const key = value.slice(0, equals);
  const context = { ...(previous ?? {}) };
  if (Object.hasOwn(context, key)) throw new InvalidArgumentError(`the key ${key} is given twice`);
  return Object.fromEntries([...Object.entries(context), [key, value.slice(equals + 1)]]);
}
