import { listResourceTags } from '../../operations/list-resource-tags.js';
import { awsAction } from '../aws-action.js';
import { itemsOfList, listWindow, pagingFields } from '../paging.js';
import { awsTags } from './tags.js';

export const listResourceTagsAwsAction = awsAction({
  name: 'ListResourceTags',
  actions: [listResourceTags.action],
  run: async (params, { execute }) => {
    const key = params.keyReference('KeyId', 'key-only');
    const window = listWindow(params, { defaultLimit: 50, max: 50 });
    const { tags } = await execute(listResourceTags, { key });
    const returned = itemsOfList(window, tags);
    return { Tags: awsTags(returned), ...pagingFields(window, returned.length, tags.length) };
  },
});
