import { defineOperation, resource } from '../operation.js';
import { requirePolicyName } from './rules.js';

export interface DeletePolicyInput {
  readonly policyName: string;
  /** RAM's CascadingDelete: detach the policy and delete its other versions first. */
  readonly cascade: boolean;
}

export const deletePolicy = defineOperation({
  action: 'ram:DeletePolicy',
  validate: (input: DeletePolicyInput) => requirePolicyName(input.policyName),
  resources: (input: DeletePolicyInput) => ({ policy: resource.policy(input.policyName) }),
  run: (context, input): Promise<void> => context.identities.deletePolicy(input.policyName, input.cascade),
});
