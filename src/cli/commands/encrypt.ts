import type { Command } from 'commander';
import { stringAt } from '../../client/kms-client.js';
import { contextParameter } from '../../envelope/kms-data-key-source.js';
import { type ClientOptions, collectContext, runWithClient, withClientOptions, withExample } from '../client/client-command.js';
import { OutputFormat, writeJson } from '../client/output.js';
import { InvalidArgumentError } from 'commander';
import { readSmallInput } from './small-input.js';

/** What Encrypt takes: 6 KiB of the text's UTF-8 (the API's own limit, src/api/actions/encrypt.ts). */
export const ENCRYPT_LIMIT_BYTES = 6144;

/** Refused here, before any request, with what to do instead: the server would only say InvalidParameter. */
function checkEncryptLimit(plaintext: string): void {
  const bytes = Buffer.byteLength(plaintext, 'utf8');
  if (bytes > ENCRYPT_LIMIT_BYTES) {
    throw new InvalidArgumentError(
      `the text is ${bytes} bytes; Encrypt takes at most ${ENCRYPT_LIMIT_BYTES} (6 KiB) of UTF-8: use arca encrypt-file for more`,
    );
  }
}

interface EncryptOptions extends ClientOptions {
  readonly keyId: string;
  readonly plaintext?: string;
  readonly in?: string;
  readonly context?: Record<string, string>;
}

/** `arca encrypt`: the Encrypt action, for up to 6 KiB of text. Files go through encrypt-file. */
export function registerEncryptCommand(program: Command): void {
  const command = program
    .command('encrypt')
    .description('encrypt up to 6 KiB of text with a key (Encrypt); prints the CiphertextBlob')
    .requiredOption('--key-id <key>', 'key id, alias or Arn')
    .option('--in <path|->', 'read the text from a file, or - for standard input')
    .option('--plaintext <text>', 'the text itself; every local user can read it (ps): avoid, it warns')
    .option('--context <key=value>', 'encryption context entry (repeatable)', collectContext);
  withExample(
    withClientOptions(command),
    'arca encrypt --key-id alias/app --in db-password.txt --context app=billing',
    'printf %s "$DB_PASSWORD" | arca encrypt --key-id alias/app --in -',
  ).action((options: EncryptOptions) =>
    runWithClient(options, async (client) => {
      const plaintext = await readSmallInput(options.plaintext, options.in, '--plaintext');
      checkEncryptLimit(plaintext);
      const body = await client.call('Encrypt', {
        KeyId: options.keyId,
        Plaintext: plaintext,
        EncryptionContext: contextParameter(options.context ?? {}),
      });
      if (options.output === OutputFormat.Json) writeJson(process.stdout, body);
      else process.stdout.write(`${stringAt(body, 'CiphertextBlob')}\n`);
    }),
  );
}
