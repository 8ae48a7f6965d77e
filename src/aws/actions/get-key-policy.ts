import { getKeyPolicy } from '../../operations/get-key-policy.js';
import { awsAction } from '../aws-action.js';

/**
 * The key's key policy, as the Alibaba API's GetKeyPolicy gives it: a RAM key policy document
 * (`Principal.RAM`), not an AWS one (ADR 35). Only the policy named `default` exists.
 */
export const getKeyPolicyAwsAction = awsAction({
  name: 'GetKeyPolicy',
  actions: [getKeyPolicy.action],
  run: async (params, { execute }) => {
    const key = params.keyReference('KeyId', 'key-only');
    const policyName = params.optionalString('PolicyName');
    const { policy } = await execute(getKeyPolicy, { key, policyName });
    return { Policy: policy, PolicyName: 'default' };
  },
});
