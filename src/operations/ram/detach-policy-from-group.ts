import { defineOperation, resource } from '../operation.js';
import type { GroupPolicyInput } from './attach-policy-to-group.js';
import { requireGroupName, requirePolicyName } from './rules.js';

export const detachPolicyFromGroup = defineOperation({
  action: 'ram:DetachPolicyFromGroup',
  validate(input: GroupPolicyInput) {
    requireGroupName(input.groupName);
    requirePolicyName(input.policyName);
  },
  resources: (input: GroupPolicyInput) => ({ group: resource.group(input.groupName), policy: resource.policy(input.policyName) }),
  run: (context, input): Promise<void> => context.identities.detachFromGroup(input.groupName, input),
});
