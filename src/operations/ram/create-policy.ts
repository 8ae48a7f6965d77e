import type { CustomPolicy, PolicyVersion } from '../../domain/identity.js';
import { defineOperation, resource } from '../operation.js';
import { requirePolicyDescription, requirePolicyDocument, requirePolicyName } from './rules.js';

export interface CreatePolicyInput {
  readonly policyName: string;
  readonly description: string;
  readonly policyDocument: string;
}

/** The document is validated strictly on write: an unknown element or operator is refused, named. */
export const createPolicy = defineOperation({
  action: 'ram:CreatePolicy',
  validate(input: CreatePolicyInput) {
    requirePolicyName(input.policyName);
    requirePolicyDescription(input.description);
    requirePolicyDocument(input.policyDocument);
  },
  resources: (input: CreatePolicyInput) => ({ policy: resource.policy(input.policyName) }),
  run: (context, input): Promise<{ policy: CustomPolicy; version: PolicyVersion }> =>
    context.identities.createPolicy(input.policyName, input.description, input.policyDocument),
});
