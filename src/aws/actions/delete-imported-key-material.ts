import { deleteKeyMaterial } from '../../operations/delete-key-material.js';
import { awsAction, resolvedKeyId } from '../aws-action.js';
import { awsKeyArn } from '../aws-arn.js';

export const deleteImportedKeyMaterialAwsAction = awsAction({
  name: 'DeleteImportedKeyMaterial',
  actions: [deleteKeyMaterial.action],
  run: async (params, context) => {
    const key = params.keyReference('KeyId', 'key-only');
    params.refuse('KeyMaterialId');
    await context.execute(deleteKeyMaterial, { key });
    return { KeyId: awsKeyArn(context.scope, resolvedKeyId(context)) };
  },
});
