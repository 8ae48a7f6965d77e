import { KmsError } from '../../domain/errors.js';
import { KeyState } from '../../domain/key-state.js';
import { DAY_IN_SECONDS } from '../../domain/rotation-interval.js';
import { scheduleKeyDeletion } from '../../operations/schedule-key-deletion.js';
import { awsAction, resolvedKeyId } from '../aws-action.js';
import { awsKeyArn } from '../aws-arn.js';
import { epochSeconds } from '../aws-shapes.js';

/** AWS's window: 7 to 30 days, 30 by default (Arca's operation allows up to 366 for Alibaba). */
const MIN_AWS_WINDOW_DAYS = 7;
const MAX_AWS_WINDOW_DAYS = 30;

export const scheduleKeyDeletionAwsAction = awsAction({
  name: 'ScheduleKeyDeletion',
  actions: [scheduleKeyDeletion.action],
  run: async (params, context) => {
    const key = params.keyReference('KeyId', 'key-only');
    const pendingWindowInDays = params.optionalInteger('PendingWindowInDays') ?? MAX_AWS_WINDOW_DAYS;
    if (pendingWindowInDays < MIN_AWS_WINDOW_DAYS || pendingWindowInDays > MAX_AWS_WINDOW_DAYS) {
      throw new KmsError('InvalidInput', 'pendingWindowInDays');
    }
    // The operation returns nothing; the date it set is its clock's now plus the window, which this
    // reading of the same clock matches to within the milliseconds the call took.
    const scheduledAt = context.clock.now();
    await context.execute(scheduleKeyDeletion, { key, pendingWindowInDays });
    return {
      KeyId: awsKeyArn(context.scope, resolvedKeyId(context)),
      DeletionDate: epochSeconds(scheduledAt + pendingWindowInDays * DAY_IN_SECONDS * 1000),
      KeyState: KeyState.PendingDeletion,
      PendingWindowInDays: pendingWindowInDays,
    };
  },
});
