import { getParametersForImport } from '../../operations/get-parameters-for-import.js';
import { formatWireTime } from '../../domain/time.js';
import { wireAction } from '../wire-action.js';

export const getParametersForImportAction = wireAction({
  action: 'GetParametersForImport',
  operation: getParametersForImport,
  parse: (params) => ({
    key: params.keyReference('KeyId'),
    wrappingKeySpec: params.required('WrappingKeySpec'),
    wrappingAlgorithm: params.required('WrappingAlgorithm'),
  }),
  respond: (output) => ({
    KeyId: output.keyId,
    ImportToken: output.importToken.toString('base64'),
    PublicKey: output.publicKeySpki.toString('base64'),
    TokenExpireTime: formatWireTime(output.tokenExpireTime),
  }),
});
