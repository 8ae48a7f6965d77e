import { listKeys } from '../../operations/list-keys.js';
import { awsAction } from '../aws-action.js';
import { awsKeyArn } from '../aws-arn.js';
import { itemsOfPage, listWindow, pageFor, pagingFields } from '../paging.js';

export const listKeysAwsAction = awsAction({
  name: 'ListKeys',
  actions: [listKeys.action],
  run: async (params, { execute, scope }) => {
    const window = listWindow(params, { defaultLimit: 100, max: 1000 });
    const page = await execute(listKeys, { filter: {}, page: pageFor(window) });
    const keys = itemsOfPage(window, page);
    return {
      Keys: keys.map((key) => ({ KeyId: key.keyId, KeyArn: awsKeyArn(scope, key.keyId) })),
      ...pagingFields(window, keys.length, page.totalCount),
    };
  },
});
