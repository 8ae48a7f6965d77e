import type { SealedResult } from './ciphertext.js';
import { assertDataKeyLength, dataKeyResources, generateDataKeyUnder, type DataKeyInput } from './data-key.js';
import { defineOperation } from './operation.js';

export const generateDataKeyWithoutPlaintext = defineOperation({
  action: 'GenerateDataKeyWithoutPlaintext',
  validate: (input: DataKeyInput) => assertDataKeyLength(input.lengthInBytes),
  resources: (input: DataKeyInput) => dataKeyResources(input),
  run: async (context, input, { key }): Promise<SealedResult> => {
    const { ciphertextBlob, keyId, keyVersionId, dataKey } = await generateDataKeyUnder(context, key, input);
    dataKey.fill(0);
    return { ciphertextBlob, keyId, keyVersionId };
  },
});
