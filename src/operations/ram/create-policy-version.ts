import type { PolicyVersion } from '../../domain/identity.js';
import { defineOperation, resource } from '../operation.js';
import { requirePolicyDocument, requirePolicyName } from './rules.js';

export interface CreatePolicyVersionInput {
  readonly policyName: string;
  readonly policyDocument: string;
  readonly setAsDefault: boolean;
  /** RAM's RotateStrategy DeleteOldestNonDefaultVersionWhenLimitExceeded. */
  readonly deleteOldestWhenFull: boolean;
}

export const createPolicyVersion = defineOperation({
  action: 'ram:CreatePolicyVersion',
  validate(input: CreatePolicyVersionInput) {
    requirePolicyName(input.policyName);
    requirePolicyDocument(input.policyDocument);
  },
  resources: (input: CreatePolicyVersionInput) => ({ policy: resource.policy(input.policyName) }),
  async run(context, input): Promise<{ version: PolicyVersion; isDefault: boolean }> {
    const version = await context.identities.addPolicyVersion(
      input.policyName,
      input.policyDocument,
      input.setAsDefault,
      input.deleteOldestWhenFull,
    );
    return { version, isDefault: input.setAsDefault };
  },
});
