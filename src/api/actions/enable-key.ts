import { enableKey } from '../../operations/enable-key.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const enableKeyAction = wireAction({
  action: 'EnableKey',
  operation: enableKey,
  parse: (params) => ({ key: params.keyReference('KeyId') }),
  respond: emptyBody,
});
