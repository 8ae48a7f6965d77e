import type { PolicyRef } from '../../domain/identity.js';
import { defineOperation, resource } from '../operation.js';
import { requirePolicyName, requireUserName } from './rules.js';

export interface UserPolicyInput extends PolicyRef {
  readonly userName: string;
}

/** Authorised on the user and on the policy, as RAM lists both for the action. */
export const attachPolicyToUser = defineOperation({
  action: 'ram:AttachPolicyToUser',
  validate(input: UserPolicyInput) {
    requireUserName(input.userName);
    requirePolicyName(input.policyName);
  },
  resources: (input: UserPolicyInput) => ({ user: resource.user(input.userName), policy: resource.policy(input.policyName) }),
  run: (context, input): Promise<void> => context.identities.attachToUser(input.userName, input),
});
