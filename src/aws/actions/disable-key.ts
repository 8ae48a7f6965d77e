import { disableKey } from '../../operations/disable-key.js';
import { awsAction, noOutput } from '../aws-action.js';

export const disableKeyAwsAction = awsAction({
  name: 'DisableKey',
  actions: [disableKey.action],
  run: async (params, { execute }) => {
    await execute(disableKey, { key: params.keyReference('KeyId', 'key-only') });
    return noOutput();
  },
});
