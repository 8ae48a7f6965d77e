import type { Command } from 'commander';
import { stringAt } from '../../client/kms-client.js';
import { contextParameter } from '../../envelope/kms-data-key-source.js';
import { type ClientOptions, collectContext, runWithClient, withClientOptions, withExample } from '../client/client-command.js';
import { OutputFormat, writeJson } from '../client/output.js';
import { readSmallInput } from './small-input.js';

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
    .option('--plaintext <text>', 'the text to encrypt')
    .option('--in <path|->', 'read the text from a file or standard input (-)')
    .option('--context <key=value>', 'encryption context entry (repeatable)', collectContext);
  withExample(withClientOptions(command), 'arca encrypt --key-id alias/app --plaintext "db password" --context app=billing').action(
    (options: EncryptOptions) =>
      runWithClient(options, async (client) => {
        const plaintext = await readSmallInput(options.plaintext, options.in, '--plaintext');
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
