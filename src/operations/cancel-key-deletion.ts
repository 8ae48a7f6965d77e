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
    // Whether the material is there is read for the very revision the write is conditioned on:
    // destroying material revises the key, so a DeleteKeyMaterial or expiry racing this one makes
    // the write fail and the check run again.
    await mutateKey(context, input.keyId, 'CancelKeyDeletion', StateRule.CancelDeletion, async (key) => {
      const hasMaterial = key.origin !== Origin.External || (await context.keys.store.getKeyVersion(key.primaryKeyVersionId))?.material != null;
      return { keyState: hasMaterial ? KeyState.Enabled : KeyState.PendingImport, deleteDate: null };
    });
  },
);
