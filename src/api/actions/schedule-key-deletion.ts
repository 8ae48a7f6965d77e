import { scheduleKeyDeletion } from '../../operations/schedule-key-deletion.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const scheduleKeyDeletionAction = wireAction({
  action: 'ScheduleKeyDeletion',
  operation: scheduleKeyDeletion,
  parse: (params) => ({
    keyId: params.required('KeyId'),
    pendingWindowInDays: params.requiredInteger('PendingWindowInDays'),
  }),
  respond: emptyBody,
});
