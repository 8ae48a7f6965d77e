import { KmsError } from '../domain/errors.js';
import { KeyState, StateRule } from '../domain/key-state.js';
import { DAY_IN_SECONDS } from '../domain/rotation-interval.js';
import { mutateKey } from './key-access.js';
import { defineOperation } from './operation.js';

export const MIN_PENDING_WINDOW_IN_DAYS = 7;
export const MAX_PENDING_WINDOW_IN_DAYS = 366;

export interface ScheduleKeyDeletionInput {
  readonly keyId: string;
  readonly pendingWindowInDays: number;
}

export const scheduleKeyDeletion = defineOperation(
  'ScheduleKeyDeletion',
  async (context, input: ScheduleKeyDeletionInput): Promise<void> => {
    const days = input.pendingWindowInDays;
    if (!Number.isInteger(days) || days < MIN_PENDING_WINDOW_IN_DAYS || days > MAX_PENDING_WINDOW_IN_DAYS) {
      throw new KmsError('InvalidParameter', 'PendingWindowInDays');
    }
    await mutateKey(context, input.keyId, 'ScheduleKeyDeletion', StateRule.ScheduleDeletion, (key) => {
      if (key.deletionProtection) throw new KmsError('RejectedDeletionProtected');
      return { keyState: KeyState.PendingDeletion, deleteDate: context.clock.now() + days * DAY_IN_SECONDS * 1000 };
    });
  },
);
