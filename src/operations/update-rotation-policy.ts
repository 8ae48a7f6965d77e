import { KmsError } from '../domain/errors.js';
import type { KeyReference } from '../domain/key-reference.js';
import { Origin } from '../domain/key-spec.js';
import { StateRule } from '../domain/key-state.js';
import { assertRotationIntervalAllowed } from '../domain/rotation-interval.js';
import { defineOperation, resource } from './operation.js';

export interface UpdateRotationPolicyInput {
  readonly key: KeyReference;
  readonly enableAutomaticRotation: boolean;
  readonly rotationIntervalSeconds?: number;
}

/**
 * Turns automatic rotation on or off. The next rotation falls due at LastRotationDate +
 * RotationInterval, so enabling it on a key last rotated long ago rotates it at the next tick.
 */
export const updateRotationPolicy = defineOperation({
  action: 'UpdateRotationPolicy',
  validate: (input: UpdateRotationPolicyInput, context) => {
    if (input.enableAutomaticRotation && input.rotationIntervalSeconds === undefined)
      throw new KmsError('MissingInput', 'rotationInterval');
    if (input.rotationIntervalSeconds !== undefined) {
      assertRotationIntervalAllowed(input.rotationIntervalSeconds, context.settings.minRotationIntervalSeconds);
    }
  },
  // The state table answers before the origin: a PendingImport key (always an EXTERNAL one) is
  // refused as PendingImport, and an Enabled EXTERNAL key as Unsupported.Origin.
  resources: (input) => ({ key: resource.key(input.key, StateRule.UpdateRotationPolicy) }),
  run: async (context, input, { key }): Promise<void> => {
    await context.keys.mutateKey(key.keyId, StateRule.UpdateRotationPolicy, (stored) => {
      if (stored.origin === Origin.External) throw new KmsError('UnsupportedOrigin');
      return {
        automaticRotation: input.enableAutomaticRotation,
        ...(input.rotationIntervalSeconds === undefined ? {} : { rotationIntervalSeconds: input.rotationIntervalSeconds }),
      };
    });
  },
});
