import { generateDataKeyWithoutPlaintext } from '../../operations/generate-data-key-without-plaintext.js';
import { awsAction } from '../aws-action.js';
import { awsKeyArn } from '../aws-arn.js';
import { base64 } from '../aws-shapes.js';
import { awsDataKeyInput } from './data-key-params.js';

export const generateDataKeyWithoutPlaintextAwsAction = awsAction({
  name: 'GenerateDataKeyWithoutPlaintext',
  actions: [generateDataKeyWithoutPlaintext.action],
  run: async (params, { execute, scope }) => {
    const output = await execute(generateDataKeyWithoutPlaintext, awsDataKeyInput(params));
    return { CiphertextBlob: base64(output.ciphertextBlob), KeyId: awsKeyArn(scope, output.keyId), KeyMaterialId: output.keyVersionId };
  },
});
