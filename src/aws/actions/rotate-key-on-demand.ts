import { createKeyVersion } from '../../operations/create-key-version.js';
import { awsAction } from '../aws-action.js';
import { awsKeyArn } from '../aws-arn.js';

/** A new key version at once (kms:CreateKeyVersion); done when the call returns, not in the background. */
export const rotateKeyOnDemandAwsAction = awsAction({
  name: 'RotateKeyOnDemand',
  actions: [createKeyVersion.action],
  run: async (params, { execute, scope }) => {
    const version = await execute(createKeyVersion, { key: params.keyReference('KeyId', 'key-only') });
    return { KeyId: awsKeyArn(scope, version.keyId) };
  },
});
