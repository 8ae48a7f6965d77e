import { getKeyPolicy } from '../../operations/get-key-policy.js';
import { wireAction } from '../wire-action.js';

export const getKeyPolicyAction = wireAction({
  action: 'GetKeyPolicy',
  operation: getKeyPolicy,
  parse: (params) => ({ key: params.keyReference('KeyId'), policyName: params.optional('PolicyName') }),
  respond: (output) => ({ Policy: output.policy }),
});
