import { createKeyVersion } from '../../operations/create-key-version.js';
import { keyVersionBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const createKeyVersionAction = wireAction({
  action: 'CreateKeyVersion',
  operation: createKeyVersion,
  parse: (params) => ({ keyId: params.required('KeyId') }),
  respond: (version) => ({ KeyVersion: keyVersionBody(version) }),
});
