import { disableKey } from '../../operations/disable-key.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const disableKeyAction = wireAction({
  action: 'DisableKey',
  operation: disableKey,
  parse: (params) => ({ key: params.keyReference('KeyId') }),
  respond: emptyBody,
});
