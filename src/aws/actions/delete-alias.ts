import { deleteAlias } from '../../operations/delete-alias.js';
import { awsAction, noOutput } from '../aws-action.js';
import { awsAliasName } from './alias-name.js';

export const deleteAliasAwsAction = awsAction({
  name: 'DeleteAlias',
  actions: [deleteAlias.action],
  run: async (params, { execute }) => {
    await execute(deleteAlias, { aliasName: awsAliasName(params) });
    return noOutput();
  },
});
