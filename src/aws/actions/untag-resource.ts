import { untagResource } from '../../operations/untag-resource.js';
import { awsAction, noOutput } from '../aws-action.js';

export const untagResourceAwsAction = awsAction({
  name: 'UntagResource',
  actions: [untagResource.action],
  run: async (params, { execute }) => {
    await execute(untagResource, { key: params.keyReference('KeyId', 'key-only'), tagKeys: params.stringList('TagKeys') });
    return noOutput();
  },
});
