import { getKeyPolicy } from '../../operations/get-key-policy.js';
import { awsAction } from '../aws-action.js';
import { itemsOfList, listWindow, pagingFields } from '../paging.js';

/** A key has one key policy, `default`. Authorised as kms:GetKeyPolicy: Arca has no separate list action. */
export const listKeyPoliciesAwsAction = awsAction({
  name: 'ListKeyPolicies',
  actions: [getKeyPolicy.action],
  run: async (params, { execute }) => {
    const key = params.keyReference('KeyId', 'key-only');
    const window = listWindow(params, { defaultLimit: 100, max: 1000 });
    await execute(getKeyPolicy, { key, policyName: undefined });
    const names = itemsOfList(window, ['default']);
    return { PolicyNames: [...names], ...pagingFields(window, names.length, 1) };
  },
});
