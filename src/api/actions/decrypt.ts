import { decrypt } from '../../operations/decrypt.js';
import { wireAction } from '../wire-action.js';

export const decryptAction = wireAction({
  action: 'Decrypt',
  operation: decrypt,
  parse: (params) => ({
    ciphertextBlob: params.required('CiphertextBlob'),
    encryptionContext: params.encryptionContext('EncryptionContext'),
    dryRun: params.dryRun(),
  }),
  respond: (output) => ({ KeyId: output.keyId, KeyVersionId: output.keyVersionId, Plaintext: output.plaintext }),
});
