import { assertDataKeyLength, dataKeyResources, generateDataKeyUnder, type DataKeyInput, type GeneratedDataKey } from './data-key.js';
import { defineOperation } from './operation.js';

export const generateDataKey = defineOperation({
  action: 'GenerateDataKey',
  validate: (input: DataKeyInput) => assertDataKeyLength(input.lengthInBytes),
  resources: (input: DataKeyInput) => dataKeyResources(input),
  run: (context, input, { key }): Promise<GeneratedDataKey> => generateDataKeyUnder(context, key, input),
});
