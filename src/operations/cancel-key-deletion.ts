import { KeyState, StateRule } from '../domain/key-state.js';
import { mutateKey } from './key-access.js';
import { defineOperation } from './operation.js';

export interface CancelKeyDeletionInput {
  readonly keyId: string;
}

export const cancelKeyDeletion = defineOperation(
  'CancelKeyDeletion',
  async (context, input: CancelKeyDeletionInput): Promise<void> => {
    await mutateKey(context, input.keyId, 'CancelKeyDeletion', StateRule.CancelDeletion, () => ({
      keyState: KeyState.Enabled,
      deleteDate: null,
    }));
  },
);
