import { generateDataKey } from '../../operations/generate-data-key.js';
import { awsAction } from '../aws-action.js';
import { awsKeyArn } from '../aws-arn.js';
import { base64 } from '../aws-shapes.js';
import { awsDataKeyInput } from './data-key-params.js';

export const generateDataKeyAwsAction = awsAction({
  name: 'GenerateDataKey',
  actions: [generateDataKey.action],
  run: async (params, { execute, scope }) => {
    const output = await execute(generateDataKey, awsDataKeyInput(params));
    try {
      return {
        CiphertextBlob: base64(output.ciphertextBlob),
        Plaintext: base64(output.dataKey),
        KeyId: awsKeyArn(scope, output.keyId),
        KeyMaterialId: output.keyVersionId,
      };
    } finally {
      output.dataKey.fill(0);
    }
  },
});
