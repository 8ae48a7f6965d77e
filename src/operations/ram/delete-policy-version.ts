import { defineOperation, resource } from '../operation.js';
import { requirePolicyName, requireVersionId } from './rules.js';

export interface DeletePolicyVersionInput {
  readonly policyName: string;
  readonly versionId: string;
}

export const deletePolicyVersion = defineOperation({
  action: 'ram:DeletePolicyVersion',
  validate(input: DeletePolicyVersionInput) {
    requirePolicyName(input.policyName);
    requireVersionId(input.versionId);
  },
  resources: (input: DeletePolicyVersionInput) => ({ policy: resource.policy(input.policyName) }),
  run: (context, input): Promise<void> => context.identities.deletePolicyVersion(input.policyName, input.versionId),
});
