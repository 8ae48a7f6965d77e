import { decrypt } from '../../operations/decrypt.js';
import { wireAction } from '../wire-action.js';

export const decryptAction = wireAction({
  action: 'Decrypt',
  takesDryRun: true,
  operation: decrypt,
  parse: (params) => ({
    ciphertextBlob: params.ciphertext('CiphertextBlob'),
    encryptionContext: params.encryptionContext('EncryptionContext'),
    dryRun: params.dryRun(),
  }),
  respond: (output) => {
    const plaintext = output.plaintext.toString('utf8');
    output.plaintext.fill(0);
    return { KeyId: output.keyId, KeyVersionId: output.keyVersionId, Plaintext: plaintext };
  },
});
