import type { PolicyRef } from '../../domain/identity.js';
import { defineOperation, resource } from '../operation.js';
import { describePolicy, type DescribedPolicy } from './policy-views.js';
import { requirePolicyName } from './rules.js';

export const getPolicy = defineOperation({
  action: 'ram:GetPolicy',
  validate: (input: PolicyRef) => requirePolicyName(input.policyName),
  resources: (input: PolicyRef) => ({ policy: resource.policy(input.policyName) }),
  run: (context, input): Promise<DescribedPolicy> => describePolicy(context.identities, input),
});
