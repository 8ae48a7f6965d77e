import { updateRotationPolicy } from '../../operations/update-rotation-policy.js';
import { awsAction, noOutput } from '../aws-action.js';

export const disableKeyRotationAwsAction = awsAction({
  name: 'DisableKeyRotation',
  actions: [updateRotationPolicy.action],
  run: async (params, { execute }) => {
    await execute(updateRotationPolicy, { key: params.keyReference('KeyId', 'key-only'), enableAutomaticRotation: false });
    return noOutput();
  },
});
