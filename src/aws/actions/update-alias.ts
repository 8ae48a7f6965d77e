import { updateAlias } from '../../operations/update-alias.js';
import { awsAction, noOutput } from '../aws-action.js';
import { awsAliasName } from './alias-name.js';

export const updateAliasAwsAction = awsAction({
  name: 'UpdateAlias',
  actions: [updateAlias.action],
  run: async (params, { execute }) => {
    const aliasName = awsAliasName(params);
    await execute(updateAlias, { aliasName, key: params.keyReference('TargetKeyId', 'key-only') });
    return noOutput();
  },
});
