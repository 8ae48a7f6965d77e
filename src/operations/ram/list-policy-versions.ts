import type { PolicyRef, PolicyVersion } from '../../domain/identity.js';
import { defineOperation, resource } from '../operation.js';
import { policyVersions, policyView } from './policy-views.js';
import { requirePolicyName } from './rules.js';

export const listPolicyVersions = defineOperation({
  action: 'ram:ListPolicyVersions',
  validate: (input: PolicyRef) => requirePolicyName(input.policyName),
  resources: (input: PolicyRef) => ({ policy: resource.policy(input.policyName) }),
  async run(context, input): Promise<{ versions: readonly PolicyVersion[]; defaultVersion: string }> {
    const versions = await policyVersions(context.identities, input);
    const { defaultVersion } = await policyView(context.identities, input);
    return { versions, defaultVersion };
  },
});
