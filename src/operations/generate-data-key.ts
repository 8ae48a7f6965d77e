import { generateDataKeyUnder, type DataKeyInput, type GeneratedDataKey } from './data-key.js';
import { defineOperation } from './operation.js';

export const generateDataKey = defineOperation(
  'GenerateDataKey',
  async (context, input: DataKeyInput): Promise<GeneratedDataKey> => generateDataKeyUnder(context, 'GenerateDataKey', input),
);
