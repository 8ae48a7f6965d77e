import { cancelKeyDeletion } from '../../operations/cancel-key-deletion.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const cancelKeyDeletionAction = wireAction({
  action: 'CancelKeyDeletion',
  operation: cancelKeyDeletion,
  parse: (params) => ({ key: params.keyReference('KeyId') }),
  respond: emptyBody,
});
