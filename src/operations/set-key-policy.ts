import { KmsError } from '../domain/errors.js';
import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import { parseKeyPolicyDocument, PolicyDocumentError } from '../policy/document.js';
import { KEY_POLICY_NAME } from '../policy/evaluator.js';
import { defineOperation, resource } from './operation.js';

export interface SetKeyPolicyInput {
  readonly key: KeyReference;
  /** Only `default`, the one name a key policy has; absent means `default`. */
  readonly policyName: string | undefined;
  /** The key policy's JSON text, stored as given once it reads as a key policy. */
  readonly policy: string;
}

/** Refuses a policy name other than `default`; GetKeyPolicy and SetKeyPolicy share it. */
export function assertKeyPolicyName(policyName: string | undefined): void {
  if (policyName !== undefined && policyName !== KEY_POLICY_NAME) throw new KmsError('InvalidInput', 'policyName');
}

/** Sets the key's key policy, which decides with the caller's RAM policies from the next request on (ADR 25). */
export const setKeyPolicy = defineOperation({
  action: 'SetKeyPolicy',
  validate: (input: SetKeyPolicyInput) => {
    assertKeyPolicyName(input.policyName);
    try {
      parseKeyPolicyDocument(input.policy);
    } catch (error) {
      if (error instanceof PolicyDocumentError) throw new KmsError('InvalidKeyPolicy', error.message);
      throw error;
    }
  },
  resources: (input) => ({ key: resource.key(input.key, StateRule.AnyState) }),
  run: async (context, input, { key }): Promise<void> => {
    await context.keys.mutateKey(key.keyId, StateRule.AnyState, () => ({ keyPolicy: input.policy }));
  },
});
