import { KmsError } from '../domain/errors.js';
import type { KeyReference } from '../domain/key-reference.js';
import { KeyState, StateRule } from '../domain/key-state.js';
import { DAY_IN_SECONDS } from '../domain/rotation-interval.js';
import { defineOperation, resource } from './operation.js';

export const MIN_PENDING_WINDOW_IN_DAYS = 7;
export const MAX_PENDING_WINDOW_IN_DAYS = 366;

export interface ScheduleKeyDeletionInput {
  readonly key: KeyReference;
  readonly pendingWindowInDays: number;
}

export const scheduleKeyDeletion = defineOperation({
  action: 'ScheduleKeyDeletion',
  validate: (input: ScheduleKeyDeletionInput) => {
    const days = input.pendingWindowInDays;
    if (!Number.isInteger(days) || days < MIN_PENDING_WINDOW_IN_DAYS || days > MAX_PENDING_WINDOW_IN_DAYS) {
      throw new KmsError('InvalidInput', 'pendingWindowInDays');
    }
  },
  resources: (input) => ({ key: resource.key(input.key, StateRule.ScheduleDeletion) }),
  run: async (context, input, { key }): Promise<void> => {
    await context.keys.mutateKey(key.keyId, StateRule.ScheduleDeletion, (stored) => {
      if (stored.deletionProtection) throw new KmsError('DeletionProtected');
      return { keyState: KeyState.PendingDeletion, deleteDate: context.clock.now() + input.pendingWindowInDays * DAY_IN_SECONDS * 1000 };
    });
  },
});
