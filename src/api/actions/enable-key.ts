import { enableKey } from '../../operations/enable-key.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const enableKeyAction = wireAction({
  action: 'EnableKey',
  operation: enableKey,
  parse: (params) => ({ keyId: params.required('KeyId') }),
  respond: emptyBody,
});
