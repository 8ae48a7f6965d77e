import { setKeyPolicy } from '../../operations/set-key-policy.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const setKeyPolicyAction = wireAction({
  action: 'SetKeyPolicy',
  operation: setKeyPolicy,
  parse: (params) => ({ key: params.keyReference('KeyId'), policyName: params.optional('PolicyName'), policy: params.required('Policy') }),
  respond: emptyBody,
});
