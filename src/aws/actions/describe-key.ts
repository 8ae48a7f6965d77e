import { describeKey } from '../../operations/describe-key.js';
import { awsAction } from '../aws-action.js';
import { awsKeyMetadata } from '../aws-shapes.js';

export const describeKeyAwsAction = awsAction({
  name: 'DescribeKey',
  actions: [describeKey.action],
  run: async (params, { execute, scope }) => {
    const key = await execute(describeKey, { key: params.keyReference('KeyId', 'key-or-alias') });
    return { KeyMetadata: awsKeyMetadata(key, scope) };
  },
});
