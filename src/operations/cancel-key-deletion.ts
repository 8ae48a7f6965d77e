import { Origin } from '../domain/key-spec.js';
import { KeyState, StateRule } from '../domain/key-state.js';
import { mutateKey } from './key-access.js';
import { defineOperation } from './operation.js';

export interface CancelKeyDeletionInput {
  readonly keyId: string;
}

/**
 * Back to Enabled, or, for an EXTERNAL key whose material was never imported or was destroyed
 * while it waited for deletion, back to PendingImport: a key without material is never Enabled.
 */
export const cancelKeyDeletion = defineOperation(
  'CancelKeyDeletion',
  async (context, input: CancelKeyDeletionInput): Promise<void> => {
    const key = await context.keys.resolve(input.keyId);
    const hasMaterial = key.origin !== Origin.External || (await context.keys.store.getKeyVersion(key.primaryKeyVersionId))?.material != null;
    await mutateKey(context, input.keyId, 'CancelKeyDeletion', StateRule.CancelDeletion, () => ({
      keyState: hasMaterial ? KeyState.Enabled : KeyState.PendingImport,
      deleteDate: null,
    }));
  },
);
