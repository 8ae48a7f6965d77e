import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import { defaultKeyPolicy } from '../policy/key-policy.js';
import { defineOperation, resource } from './operation.js';
import { assertKeyPolicyName } from './set-key-policy.js';

export interface GetKeyPolicyInput {
  readonly key: KeyReference;
  /** Only `default`; absent means `default`. */
  readonly policyName: string | undefined;
}

export interface KeyPolicyOutput {
  /** The key policy as SetKeyPolicy stored it, or Alibaba's default key policy for the key's account. */
  readonly policy: string;
}

export const getKeyPolicy = defineOperation({
  action: 'GetKeyPolicy',
  validate: (input: GetKeyPolicyInput) => assertKeyPolicyName(input.policyName),
  resources: (input) => ({ key: resource.key(input.key, StateRule.AnyState) }),
  run: (context, _input, { key }): Promise<KeyPolicyOutput> =>
    Promise.resolve({ policy: key.keyPolicy ?? defaultKeyPolicy(context.keys.scope.accountId) }),
});
