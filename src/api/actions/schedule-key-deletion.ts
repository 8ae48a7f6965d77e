import { scheduleKeyDeletion } from '../../operations/schedule-key-deletion.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const scheduleKeyDeletionAction = wireAction({
  action: 'ScheduleKeyDeletion',
  operation: scheduleKeyDeletion,
  parse: (params) => ({
    key: params.keyReference('KeyId'),
    pendingWindowInDays: params.requiredInteger('PendingWindowInDays'),
  }),
  respond: emptyBody,
});
