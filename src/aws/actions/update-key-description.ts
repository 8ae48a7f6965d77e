import { KmsError } from '../../domain/errors.js';
import { updateKeyDescription } from '../../operations/update-key-description.js';
import { awsAction, noOutput } from '../aws-action.js';

export const updateKeyDescriptionAwsAction = awsAction({
  name: 'UpdateKeyDescription',
  actions: [updateKeyDescription.action],
  run: async (params, { execute }) => {
    const key = params.keyReference('KeyId', 'key-only');
    // AWS's Description is required but may be empty.
    const description = params.optionalString('Description');
    if (description === undefined) throw new KmsError('MissingInput', 'description');
    await execute(updateKeyDescription, { key, description });
    return noOutput();
  },
});
