import { createKeyVersion } from '../../operations/create-key-version.js';
import { keyVersionBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const createKeyVersionAction = wireAction({
  action: 'CreateKeyVersion',
  operation: createKeyVersion,
  parse: (params) => ({ key: params.keyReference('KeyId') }),
  respond: (version) => ({ KeyVersion: keyVersionBody(version) }),
});
