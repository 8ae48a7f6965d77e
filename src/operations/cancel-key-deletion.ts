import type { KeyReference } from '../domain/key-reference.js';
import { Origin } from '../domain/key-spec.js';
import { KeyState, StateRule } from '../domain/key-state.js';
import { defineOperation, resource } from './operation.js';

export interface CancelKeyDeletionInput {
  readonly key: KeyReference;
}

/**
 * Back to Enabled, or, for an EXTERNAL key whose material was never imported or was destroyed
 * while it waited for deletion, back to PendingImport: a key without material is never Enabled.
 */
export const cancelKeyDeletion = defineOperation({
  action: 'CancelKeyDeletion',
  resources: (input: CancelKeyDeletionInput) => ({ key: resource.key(input.key, StateRule.CancelDeletion) }),
  run: async (context, _input, { key }): Promise<void> => {
    // Whether the material is there is read for the very revision the write is conditioned on:
    // destroying material revises the key, so a DeleteKeyMaterial or expiry racing this one makes
    // the write fail and the check run again.
    await context.keys.mutateKey(key.keyId, StateRule.CancelDeletion, async (stored) => {
      const hasMaterial =
        stored.origin !== Origin.External || (await context.keys.versionOf(stored, stored.primaryKeyVersionId)).material !== null;
      return { keyState: hasMaterial ? KeyState.Enabled : KeyState.PendingImport, deleteDate: null };
    });
  },
});
