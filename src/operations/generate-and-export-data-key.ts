import type { EncryptionContext } from '../domain/encryption-context.js';
import { KmsError } from '../domain/errors.js';
import { dataKeyLength, generateDataKeyUnder } from './data-key.js';
import { exportRecipientOf, type ExportTarget } from './export-data-key.js';
import { defineOperation } from './operation.js';

export interface GenerateAndExportDataKeyInput extends ExportTarget {
  readonly keyId: string;
  readonly keySpec?: string;
  readonly numberOfBytes?: number;
  readonly encryptionContext: EncryptionContext;
  readonly dryRun: boolean;
}

export interface GeneratedAndExportedDataKey {
  readonly ciphertextBlob: string;
  readonly keyId: string;
  readonly keyVersionId: string;
  readonly exportedDataKey: string;
}

/**
 * GenerateDataKey whose plaintext goes out only wrapped for the caller's public key: the
 * response carries the usual CiphertextBlob and the ExportedDataKey, never the data key itself.
 */
export const generateAndExportDataKey = defineOperation(
  'GenerateAndExportDataKey',
  async (context, input: GenerateAndExportDataKeyInput): Promise<GeneratedAndExportedDataKey> => {
    const recipient = exportRecipientOf(input);
    // RSA-OAEP carries at most 214 (SHA-1) or 190 (SHA-256) bytes: refuse before making a key.
    if (dataKeyLength(input) > recipient.maxDataKeyBytes) throw new KmsError('InvalidParameter', 'NumberOfBytes');
    const generated = await generateDataKeyUnder(context, 'GenerateAndExportDataKey', input);
    const dataKey = Buffer.from(generated.plaintext, 'base64');
    try {
      const exportedDataKey = recipient.wrap(dataKey).toString('base64');
      return { ciphertextBlob: generated.ciphertextBlob, keyId: generated.keyId, keyVersionId: generated.keyVersionId, exportedDataKey };
    } finally {
      dataKey.fill(0);
    }
  },
);
