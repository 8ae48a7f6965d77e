import { tagResource } from '../../operations/tag-resource.js';
import { awsAction, noOutput } from '../aws-action.js';
import { assertAwsTags } from './tags.js';

export const tagResourceAwsAction = awsAction({
  name: 'TagResource',
  actions: [tagResource.action],
  run: async (params, { execute }) => {
    const key = params.keyReference('KeyId', 'key-only');
    const tags = params.tags('Tags');
    assertAwsTags(tags);
    await execute(tagResource, { key, tags });
    return noOutput();
  },
});
