import { KmsError } from '../../domain/errors.js';
import { DEFAULT_DATA_KEY_BYTES, WIRE_DATA_KEY_SPECS } from '../wire-values.js';
import type { DataKeyInput } from '../../operations/data-key.js';
import { generateDataKey } from '../../operations/generate-data-key.js';
import { sealedBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';
import type { WireParams } from '../wire-params.js';

export const generateDataKeyAction = wireAction({
  action: 'GenerateDataKey',
  takesDryRun: true,
  operation: generateDataKey,
  parse: parseDataKeyParams,
  respond: (output) => {
    const plaintext = output.dataKey.toString('base64');
    output.dataKey.fill(0);
    return { ...sealedBody(output), Plaintext: plaintext };
  },
});

export function parseDataKeyParams(params: WireParams): DataKeyInput {
  const key = params.keyReference('KeyId');
  const encryptionContext = params.encryptionContext('EncryptionContext');
  return { key, lengthInBytes: dataKeyLength(params), sealing: 'base64-text', encryptionContext, dryRun: params.dryRun() };
}

/**
 * NumberOfBytes wins over KeySpec, as Alibaba documents; the Encryption SDK relies on it by
 * sending KeySpec=SM4_128 with NumberOfBytes=16, so an unknown KeySpec is only refused when
 * NumberOfBytes is absent. (The operation checks the range of NumberOfBytes.)
 */
function dataKeyLength(params: WireParams): number {
  const numberOfBytes = params.optionalInteger('NumberOfBytes');
  if (numberOfBytes !== undefined) return numberOfBytes;
  const keySpec = params.optional('KeySpec') || undefined;
  if (keySpec === undefined) return DEFAULT_DATA_KEY_BYTES;
  const length = WIRE_DATA_KEY_SPECS[keySpec];
  if (length === undefined) throw new KmsError('InvalidInput', 'KeySpec');
  return length;
}
