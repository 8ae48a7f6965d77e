import { KmsError } from '../domain/errors.js';
import { StateRule } from '../domain/key-state.js';
import { MAX_DESCRIPTION_LENGTH } from './create-key.js';
import { mutateKey } from './key-access.js';
import { defineOperation } from './operation.js';

export interface UpdateKeyDescriptionInput {
  readonly keyId: string;
  readonly description: string;
}

export const updateKeyDescription = defineOperation(
  'UpdateKeyDescription',
  async (context, input: UpdateKeyDescriptionInput): Promise<void> => {
    if (input.description.length > MAX_DESCRIPTION_LENGTH) throw new KmsError('InvalidParameter', 'Description');
    await mutateKey(context, input.keyId, 'UpdateKeyDescription', StateRule.AnyState, () => ({
      description: input.description,
    }));
  },
);
