import { enableKey } from '../../operations/enable-key.js';
import { awsAction, noOutput } from '../aws-action.js';

export const enableKeyAwsAction = awsAction({
  name: 'EnableKey',
  actions: [enableKey.action],
  run: async (params, { execute }) => {
    await execute(enableKey, { key: params.keyReference('KeyId', 'key-only') });
    return noOutput();
  },
});
