import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { stringAt } from '../../client/kms-client.js';
import { AeadAlgorithm } from '../../crypto/aead.js';
import { EnvelopeCipher } from '../../envelope/envelope-cipher.js';
import { KmsDataKeySource } from '../../envelope/kms-data-key-source.js';
import { type ClientOptions, collectContext, runWithClient, withClientOptions, withExample } from '../client/client-command.js';
import { OutputFormat, writeJson } from '../client/output.js';
import { DestinationExistsError, STANDARD_STREAM } from '../client/file-transfer.js';
import { transfer } from '../client/transfer.js';

interface EncryptFileOptions extends ClientOptions {
  readonly keyId: string;
  readonly in: string;
  readonly out: string;
  readonly context?: Record<string, string>;
  readonly force?: boolean;
}

/**
 * `arca encrypt-file`: envelope encryption of a file or stream (format: ADR 0016). The data key
 * comes from GenerateDataKey under `--key-id`; SM4 keys get SM4-GCM segments, others AES-256-GCM.
 */
export function registerEncryptFileCommand(program: Command): void {
  const command = program
    .command('encrypt-file')
    .description('encrypt a file of any size under a fresh data key sealed by a master key')
    .requiredOption('--key-id <key>', 'key id, alias or Arn of the master key')
    .requiredOption('--in <path|->', 'plaintext file, or - for standard input')
    .requiredOption('--out <path|->', 'envelope file to write, or - for standard output')
    .option(
      '--context <key=value>',
      'encryption context entry, bound to the data key and stored in the header (repeatable)',
      collectContext,
    )
    .option('--force', 'replace --out if it exists (by default an existing file is left alone)');
  withExample(
    withClientOptions(command),
    'arca encrypt-file --key-id alias/backups --in db.dump --out db.dump.arca --context host=db1',
    'tar c photos | arca encrypt-file --key-id alias/backups --in - --out photos.tar.arca',
  ).action((options: EncryptFileOptions) =>
    runWithClient(options, async (client) => {
      // Checked before any request, and again as the file is put in place (link, not rename).
      const overwrite = options.force === true;
      if (!overwrite && options.out !== STANDARD_STREAM && existsSync(options.out)) throw new DestinationExistsError(options.out);
      const metadata = await client.call('DescribeKey', { KeyId: options.keyId });
      const algorithm = stringAt(metadata, 'KeyMetadata.KeySpec') === 'Aliyun_SM4' ? AeadAlgorithm.Sm4Gcm : AeadAlgorithm.Aes256Gcm;
      const cipher = new EnvelopeCipher(new KmsDataKeySource(client));
      const result = await transfer(
        'encrypting',
        options.in,
        options.out,
        (source) => cipher.encryptIterable(source, { keyId: options.keyId, context: options.context ?? {}, algorithm }),
        { overwrite },
      );
      if (options.output === OutputFormat.Json && options.out !== STANDARD_STREAM) {
        writeJson(process.stdout, {
          KeyId: stringAt(metadata, 'KeyMetadata.KeyId'),
          Algorithm: algorithm,
          In: options.in,
          Out: options.out,
          PlaintextBytes: result.inputBytes,
          EnvelopeBytes: result.outputBytes,
        });
      }
    }),
  );
}
