import { encrypt } from '../../operations/encrypt.js';
import { sealedBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const encryptAction = wireAction({
  action: 'Encrypt',
  operation: encrypt,
  parse: (params) => ({
    keyId: params.required('KeyId'),
    plaintext: params.required('Plaintext'),
    encryptionContext: params.encryptionContext('EncryptionContext'),
    dryRun: params.dryRun(),
  }),
  respond: sealedBody,
});
