import { defineOperation, resource } from '../operation.js';
import type { UserPolicyInput } from './attach-policy-to-user.js';
import { requirePolicyName, requireUserName } from './rules.js';

/** The policy is out of force from the user's next request on, in every process. */
export const detachPolicyFromUser = defineOperation({
  action: 'ram:DetachPolicyFromUser',
  validate(input: UserPolicyInput) {
    requireUserName(input.userName);
    requirePolicyName(input.policyName);
  },
  resources: (input: UserPolicyInput) => ({ user: resource.user(input.userName), policy: resource.policy(input.policyName) }),
  run: (context, input): Promise<void> => context.identities.detachFromUser(input.userName, input),
});
