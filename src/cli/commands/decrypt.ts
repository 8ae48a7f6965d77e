import type { Command } from 'commander';
import { stringAt } from '../../client/kms-client.js';
import { contextParameter } from '../../envelope/kms-data-key-source.js';
import { type ClientOptions, collectContext, runWithClient, withClientOptions, withExample } from '../client/client-command.js';
import { OutputFormat, writeJson } from '../client/output.js';
import { readSmallInput } from './small-input.js';

interface DecryptOptions extends ClientOptions {
  readonly ciphertextBlob?: string;
  readonly in?: string;
  readonly context?: Record<string, string>;
}

/** `arca decrypt`: the Decrypt action; prints the plaintext as it was encrypted. */
export function registerDecryptCommand(program: Command): void {
  const command = program
    .command('decrypt')
    .description('decrypt a CiphertextBlob (Decrypt); prints the plaintext')
    .option('--ciphertext-blob <blob>', 'the CiphertextBlob')
    .option('--in <path|->', 'read the CiphertextBlob from a file or standard input (-)')
    .option('--context <key=value>', 'encryption context entry it was sealed with (repeatable)', collectContext);
  withExample(withClientOptions(command), 'arca encrypt --key-id alias/app --in note.txt | arca decrypt --in -').action(
    (options: DecryptOptions) =>
      runWithClient(options, async (client) => {
        const blob = (await readSmallInput(options.ciphertextBlob, options.in, '--ciphertext-blob')).trim();
        const body = await client.call('Decrypt', { CiphertextBlob: blob, EncryptionContext: contextParameter(options.context ?? {}) });
        if (options.output === OutputFormat.Json) writeJson(process.stdout, body);
        else process.stdout.write(`${stringAt(body, 'Plaintext')}\n`);
      }),
  );
}
