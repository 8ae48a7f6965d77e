import { KmsError } from '../domain/errors.js';
import { assertDataKeyLength, dataKeyResources, generateDataKeyUnder, type DataKeyInput } from './data-key.js';
import { exportRecipientOf, type ExportTarget } from './export-data-key.js';
import { defineOperation } from './operation.js';

export type GenerateAndExportDataKeyInput = DataKeyInput & ExportTarget;

export interface GeneratedAndExportedDataKey {
  readonly ciphertextBlob: Buffer;
  readonly keyId: string;
  readonly keyVersionId: string;
  readonly exportedDataKey: Buffer;
}

/**
 * GenerateDataKey whose plaintext goes out only wrapped for the caller's public key: the
 * response carries the usual CiphertextBlob and the ExportedDataKey, never the data key itself.
 */
export const generateAndExportDataKey = defineOperation({
  action: 'GenerateAndExportDataKey',
  validate: (input: GenerateAndExportDataKeyInput) => {
    const recipient = exportRecipientOf(input);
    assertDataKeyLength(input.lengthInBytes);
    // RSA-OAEP carries at most 214 (SHA-1) or 190 (SHA-256) bytes: refuse before making a key.
    if (input.lengthInBytes > recipient.maxDataKeyBytes) throw new KmsError('InvalidInput', 'numberOfBytes');
  },
  resources: (input: GenerateAndExportDataKeyInput) => dataKeyResources(input),
  run: async (context, input, { key }): Promise<GeneratedAndExportedDataKey> => {
    const recipient = exportRecipientOf(input);
    const generated = await generateDataKeyUnder(context, key, input);
    try {
      const exportedDataKey = recipient.wrap(generated.dataKey);
      return { ciphertextBlob: generated.ciphertextBlob, keyId: generated.keyId, keyVersionId: generated.keyVersionId, exportedDataKey };
    } finally {
      generated.dataKey.fill(0);
    }
  },
});
