import { KmsError } from '../domain/errors.js';
import { StateRule } from '../domain/key-state.js';
import { mutateKey } from './key-access.js';
import { defineOperation } from './operation.js';

export interface SetDeletionProtectionInput {
  /** A KeyId parameter, or the key's Arn from ProtectedResourceArn. */
  readonly keyReference: string;
  readonly enableDeletionProtection: boolean;
  readonly deletionProtectionDescription?: string;
}

export const setDeletionProtection = defineOperation(
  'SetDeletionProtection',
  async (context, input: SetDeletionProtectionInput): Promise<void> => {
    const description = input.deletionProtectionDescription ?? '';
    if (description.length > 8192) throw new KmsError('InvalidParameter', 'DeletionProtectionDescription');
    // The same rule as CreateAlias: refused only while the key is pending deletion.
    await mutateKey(context, input.keyReference, 'SetDeletionProtection', StateRule.CreateAlias, () => ({
      deletionProtection: input.enableDeletionProtection,
      deletionProtectionDescription: input.enableDeletionProtection ? description : '',
    }));
  },
);
