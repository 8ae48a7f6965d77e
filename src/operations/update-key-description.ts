import { KmsError } from '../domain/errors.js';
import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import { MAX_DESCRIPTION_LENGTH } from './create-key.js';
import { defineOperation, resource } from './operation.js';

export interface UpdateKeyDescriptionInput {
  readonly key: KeyReference;
  readonly description: string;
}

export const updateKeyDescription = defineOperation({
  action: 'UpdateKeyDescription',
  validate: (input: UpdateKeyDescriptionInput) => {
    if (input.description.length > MAX_DESCRIPTION_LENGTH) throw new KmsError('InvalidInput', 'description');
  },
  resources: (input) => ({ key: resource.key(input.key, StateRule.UpdateKeyDescription) }),
  run: async (context, input, { key }): Promise<void> => {
    await context.keys.mutateKey(key.keyId, StateRule.UpdateKeyDescription, () => ({ description: input.description }));
  },
});
