import { exportDataKey, type ExportTarget } from '../../operations/export-data-key.js';
import { wireAction } from '../wire-action.js';
import type { WireParams } from '../wire-params.js';

export const exportDataKeyAction = wireAction({
  action: 'ExportDataKey',
  takesDryRun: true,
  operation: exportDataKey,
  parse: (params) => ({
    ciphertextBlob: params.ciphertext('CiphertextBlob'),
    ...parseExportTarget(params),
    encryptionContext: params.encryptionContext('EncryptionContext'),
    dryRun: params.dryRun(),
  }),
  respond: (output) => ({
    ExportedDataKey: output.exportedDataKey.toString('base64'),
    KeyId: output.keyId,
    KeyVersionId: output.keyVersionId,
  }),
});

export function parseExportTarget(params: WireParams): ExportTarget {
  return {
    publicKey: params.base64('PublicKeyBlob'),
    wrappingKeySpec: params.required('WrappingKeySpec'),
    wrappingAlgorithm: params.required('WrappingAlgorithm'),
  };
}
