import { KmsError } from '../domain/errors.js';
import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import { defineOperation, resource } from './operation.js';

export const MAX_DELETION_PROTECTION_DESCRIPTION_LENGTH = 8192;

export interface SetDeletionProtectionInput {
  readonly key: KeyReference;
  readonly enableDeletionProtection: boolean;
  readonly deletionProtectionDescription?: string;
}

export const setDeletionProtection = defineOperation({
  action: 'SetDeletionProtection',
  validate: (input: SetDeletionProtectionInput) => {
    const description = input.deletionProtectionDescription ?? '';
    if (description.length > MAX_DELETION_PROTECTION_DESCRIPTION_LENGTH)
      throw new KmsError('InvalidInput', 'deletionProtectionDescription');
  },
  resources: (input) => ({ key: resource.key(input.key, StateRule.SetDeletionProtection) }),
  run: async (context, input, { key }): Promise<void> => {
    await context.keys.mutateKey(key.keyId, StateRule.SetDeletionProtection, () => ({
      deletionProtection: input.enableDeletionProtection,
      deletionProtectionDescription: input.enableDeletionProtection ? (input.deletionProtectionDescription ?? '') : '',
    }));
  },
});
