import { KmsError } from '../../domain/errors.js';
import { generateRandom } from '../../operations/generate-random.js';
import { awsAction } from '../aws-action.js';
import { base64 } from '../aws-shapes.js';

export const generateRandomAwsAction = awsAction({
  name: 'GenerateRandom',
  actions: [generateRandom.action],
  run: async (params, { execute }) => {
    const numberOfBytes = params.optionalInteger('NumberOfBytes');
    if (numberOfBytes === undefined) throw new KmsError('MissingInput', 'numberOfBytes');
    params.refuse('CustomKeyStoreId');
    params.refuse('Recipient');
    const bytes = await execute(generateRandom, { numberOfBytes });
    try {
      return { Plaintext: base64(bytes) };
    } finally {
      bytes.fill(0);
    }
  },
});
