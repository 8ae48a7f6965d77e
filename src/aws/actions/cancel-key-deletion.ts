import { cancelKeyDeletion } from '../../operations/cancel-key-deletion.js';
import { awsAction, resolvedKeyId } from '../aws-action.js';
import { awsKeyArn } from '../aws-arn.js';

export const cancelKeyDeletionAwsAction = awsAction({
  name: 'CancelKeyDeletion',
  actions: [cancelKeyDeletion.action],
  run: async (params, context) => {
    const key = params.keyReference('KeyId', 'key-only');
    await context.execute(cancelKeyDeletion, { key });
    return { KeyId: awsKeyArn(context.scope, resolvedKeyId(context)) };
  },
});
