import type { PolicyRef } from '../../domain/identity.js';
import { defineOperation, resource } from '../operation.js';
import { requireGroupName, requirePolicyName } from './rules.js';

export interface GroupPolicyInput extends PolicyRef {
  readonly groupName: string;
}

export const attachPolicyToGroup = defineOperation({
  action: 'ram:AttachPolicyToGroup',
  validate(input: GroupPolicyInput) {
    requireGroupName(input.groupName);
    requirePolicyName(input.policyName);
  },
  resources: (input: GroupPolicyInput) => ({ group: resource.group(input.groupName), policy: resource.policy(input.policyName) }),
  run: (context, input): Promise<void> => context.identities.attachToGroup(input.groupName, input),
});
