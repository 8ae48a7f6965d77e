import { setKeyPolicy } from '../../operations/set-key-policy.js';
import { awsAction, noOutput } from '../aws-action.js';

/**
 * Replaces the key's key policy with a RAM key policy document, validated as SetKeyPolicy
 * validates it: an AWS-style document (`Principal.AWS`) is refused as malformed (ADR 35).
 * `BypassPolicyLockoutSafetyCheck` changes nothing: the administrator can never be locked out.
 */
export const putKeyPolicyAwsAction = awsAction({
  name: 'PutKeyPolicy',
  actions: [setKeyPolicy.action],
  run: async (params, { execute }) => {
    const key = params.keyReference('KeyId', 'key-only');
    params.optionalBoolean('BypassPolicyLockoutSafetyCheck');
    const policy = params.requiredString('Policy');
    await execute(setKeyPolicy, { key, policyName: params.optionalString('PolicyName'), policy });
    return noOutput();
  },
});
