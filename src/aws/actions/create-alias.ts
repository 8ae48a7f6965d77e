import { createAlias } from '../../operations/create-alias.js';
import { awsAction, noOutput } from '../aws-action.js';
import { awsAliasName } from './alias-name.js';

export const createAliasAwsAction = awsAction({
  name: 'CreateAlias',
  actions: [createAlias.action],
  run: async (params, { execute }) => {
    const aliasName = awsAliasName(params);
    await execute(createAlias, { aliasName, key: params.keyReference('TargetKeyId', 'key-only') });
    return noOutput();
  },
});
