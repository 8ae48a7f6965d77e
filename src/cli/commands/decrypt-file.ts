import type { Command } from 'commander';
import { EnvelopeCipher, type EnvelopeInfo } from '../../envelope/envelope-cipher.js';
import { KmsDataKeySource } from '../../envelope/kms-data-key-source.js';
import { type ClientOptions, collectContext, runWithClient, withClientOptions, withExample } from '../client/client-command.js';
import { STANDARD_STREAM } from '../client/file-transfer.js';
import { OutputFormat, writeJson } from '../client/output.js';
import { transfer } from '../client/transfer.js';

interface DecryptFileOptions extends ClientOptions {
  readonly in: string;
  readonly out: string;
  readonly context?: Record<string, string>;
  readonly keyId?: string;
}

/**
 * `arca decrypt-file`: opens an envelope with nothing but the file and credentials. With a path
 * as --out, the file appears only when every segment authenticated. With `--out -`, each segment
 * is written once it authenticated; a failure later (a damaged or missing segment) ends the
 * output early and the exit code is 1.
 */
export function registerDecryptFileCommand(program: Command): void {
  const command = program
    .command('decrypt-file')
    .description('decrypt a file made by encrypt-file')
    .requiredOption('--in <path|->', 'envelope file, or - for standard input')
    .requiredOption('--out <path|->', 'plaintext file to write, or - for standard output')
    .option('--context <key=value>', 'require exactly this encryption context (repeatable); default: the one in the header', collectContext)
    .option(
      '--key-id <key>',
      'require the file to be sealed under this master key (key id, alias or Arn): any other is refused before a byte is written',
    );
  withExample(
    withClientOptions(command),
    'arca decrypt-file --in db.dump.arca --out db.dump --context host=db1 --key-id alias/backups',
    'arca decrypt-file --in photos.tar.arca --out - | tar x',
  )
    .addHelpText(
      'after',
      `
With --out <path>, the plaintext is written to a temporary file beside <path> and renamed into
place only once the whole envelope has authenticated: on any failure <path> is left untouched.
With --out -, each segment (64 KiB by default) is written once its tag has verified; if a later
segment fails or the envelope turns out truncated, the output stops there, an error is printed
and the exit code is 1. Treat standard output as valid only when the exit code is 0.
Anyone who can write a file can seal it under a key of their own that you may also use: with
--key-id, a file sealed under another key fails with Envelope.KeyMismatch before any output.`,
    )
    .action((options: DecryptFileOptions) =>
      runWithClient(options, async (client) => {
        const cipher = new EnvelopeCipher(
          new KmsDataKeySource(client, options.keyId === undefined ? {} : { requiredKeyId: options.keyId }),
        );
        let info: EnvelopeInfo | undefined;
        const result = await transfer('decrypting', options.in, options.out, (source) =>
          cipher.decryptIterable(source, {
            ...(options.context === undefined ? {} : { context: options.context }),
            onHeader: (header) => {
              info = header;
            },
          }),
        );
        if (options.output === OutputFormat.Json && options.out !== STANDARD_STREAM && info !== undefined) {
          writeJson(process.stdout, {
            Algorithm: info.algorithm,
            EncryptionContext: info.context,
            In: options.in,
            Out: options.out,
            EnvelopeBytes: result.inputBytes,
            PlaintextBytes: result.outputBytes,
          });
        }
      }),
    );
}
