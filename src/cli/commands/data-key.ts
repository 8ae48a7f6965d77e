import { type Command, InvalidArgumentError, Option } from 'commander';
import { valueAt } from '../../client/kms-client.js';
import { contextParameter } from '../../envelope/kms-data-key-source.js';
import { type ClientOptions, collectContext, runWithClient, withClientOptions, withExample } from '../client/client-command.js';
import { OutputFormat, writeJson, writeRecord } from '../client/output.js';
import { cell } from './key.js';

interface DataKeyOptions extends ClientOptions {
  readonly keyId: string;
  readonly keySpec?: string;
  readonly numberOfBytes?: number;
  readonly context?: Record<string, string>;
  readonly withoutPlaintext?: boolean;
}

/** `arca data-key`: GenerateDataKey, or GenerateDataKeyWithoutPlaintext with --without-plaintext. */
export function registerDataKeyCommand(program: Command): void {
  const command = program
    .command('data-key')
    .description('generate a data key: its plaintext (base64) and its CiphertextBlob')
    .requiredOption('--key-id <key>', 'key id, alias or Arn of the master key that seals it')
    .addOption(new Option('--key-spec <spec>', 'data key size').choices(['AES_256', 'AES_128']))
    .option('--number-of-bytes <n>', 'data key length, 1 to 1024 (wins over --key-spec)', byteCount)
    .option('--context <key=value>', 'encryption context entry (repeatable)', collectContext)
    .option('--without-plaintext', 'only the CiphertextBlob (GenerateDataKeyWithoutPlaintext)');
  withExample(withClientOptions(command), 'arca data-key --key-id alias/app --key-spec AES_256 --output json').action(
    (options: DataKeyOptions) =>
      runWithClient(options, async (client) => {
        const body = await client.call(options.withoutPlaintext === true ? 'GenerateDataKeyWithoutPlaintext' : 'GenerateDataKey', {
          KeyId: options.keyId,
          KeySpec: options.keySpec,
          NumberOfBytes: options.numberOfBytes,
          EncryptionContext: contextParameter(options.context ?? {}),
        });
        if (options.output === OutputFormat.Json) {
          writeJson(process.stdout, body);
          return;
        }
        writeRecord(process.stdout, [
          ['KeyId', cell(valueAt(body, 'KeyId'))],
          ['KeyVersionId', cell(valueAt(body, 'KeyVersionId'))],
          ...(options.withoutPlaintext === true ? [] : [['Plaintext', cell(valueAt(body, 'Plaintext'))] as const]),
          ['CiphertextBlob', cell(valueAt(body, 'CiphertextBlob'))],
        ]);
      }),
  );
}

function byteCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('a whole number');
  return Number(value);
}
