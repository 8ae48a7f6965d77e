import type { SealedResult } from './ciphertext.js';
import { generateDataKeyUnder, type DataKeyInput } from './data-key.js';
import { defineOperation } from './operation.js';

export const generateDataKeyWithoutPlaintext = defineOperation(
  'GenerateDataKeyWithoutPlaintext',
  async (context, input: DataKeyInput): Promise<SealedResult> => {
    const { ciphertextBlob, keyId, keyVersionId } = await generateDataKeyUnder(context, 'GenerateDataKeyWithoutPlaintext', input);
    return { ciphertextBlob, keyId, keyVersionId };
  },
);
