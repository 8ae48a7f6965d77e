import { generateDataKeyWithoutPlaintext } from '../../operations/generate-data-key-without-plaintext.js';
import { sealedBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';
import { parseDataKeyParams } from './generate-data-key.js';

export const generateDataKeyWithoutPlaintextAction = wireAction({
  action: 'GenerateDataKeyWithoutPlaintext',
  takesDryRun: true,
  operation: generateDataKeyWithoutPlaintext,
  parse: parseDataKeyParams,
  respond: sealedBody,
});
