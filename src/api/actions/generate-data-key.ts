import type { DataKeyInput } from '../../operations/data-key.js';
import { generateDataKey } from '../../operations/generate-data-key.js';
import { sealedBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';
import type { WireParams } from '../wire-params.js';

export const generateDataKeyAction = wireAction({
  action: 'GenerateDataKey',
  operation: generateDataKey,
  parse: parseDataKeyParams,
  respond: (output) => ({ ...sealedBody(output), Plaintext: output.plaintext }),
});

export function parseDataKeyParams(params: WireParams): DataKeyInput {
  return {
    keyId: params.required('KeyId'),
    keySpec: params.optional('KeySpec') || undefined,
    numberOfBytes: params.optionalInteger('NumberOfBytes'),
    encryptionContext: params.encryptionContext('EncryptionContext'),
    dryRun: params.dryRun(),
  };
}
