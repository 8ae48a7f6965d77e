import { exportDataKey } from '../../operations/export-data-key.js';
import { wireAction } from '../wire-action.js';
import type { WireParams } from '../wire-params.js';

export const exportDataKeyAction = wireAction({
  action: 'ExportDataKey',
  operation: exportDataKey,
  parse: (params) => ({
    ciphertextBlob: params.required('CiphertextBlob'),
    ...parseExportTarget(params),
    encryptionContext: params.encryptionContext('EncryptionContext'),
    dryRun: params.dryRun(),
  }),
  respond: (output) => ({ ExportedDataKey: output.exportedDataKey, KeyId: output.keyId, KeyVersionId: output.keyVersionId }),
});

export function parseExportTarget(params: WireParams): { publicKeyBlob: string; wrappingKeySpec: string; wrappingAlgorithm: string } {
  return {
    publicKeyBlob: params.required('PublicKeyBlob'),
    wrappingKeySpec: params.required('WrappingKeySpec'),
    wrappingAlgorithm: params.required('WrappingAlgorithm'),
  };
}
