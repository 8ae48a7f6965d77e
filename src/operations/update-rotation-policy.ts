import { KmsError } from '../domain/errors.js';
import { Origin } from '../domain/key-spec.js';
import { StateRule } from '../domain/key-state.js';
import { parseRotationInterval } from '../domain/rotation-interval.js';
import { mutateKey } from './key-access.js';
import { defineOperation } from './operation.js';

export interface UpdateRotationPolicyInput {
  readonly keyId: string;
  readonly enableAutomaticRotation: boolean;
  readonly rotationInterval?: string;
}

/**
 * Turns automatic rotation on or off. The next rotation falls due at LastRotationDate +
 * RotationInterval, so enabling it on a key last rotated long ago rotates it at the next tick.
 */
export const updateRotationPolicy = defineOperation(
  'UpdateRotationPolicy',
  async (context, input: UpdateRotationPolicyInput): Promise<void> => {
    if (input.enableAutomaticRotation && input.rotationInterval === undefined) {
      throw new KmsError('MissingParameter', 'RotationInterval');
    }
    const intervalSeconds =
      input.rotationInterval === undefined
        ? undefined
        : parseRotationInterval(input.rotationInterval, context.settings.minRotationIntervalSeconds);
    // The same rule as CreateAlias: any state but PendingDeletion.
    await mutateKey(context, input.keyId, 'UpdateRotationPolicy', StateRule.CreateAlias, (key) => {
      if (key.origin === Origin.External) throw new KmsError('UnsupportedOrigin');
      return {
        automaticRotation: input.enableAutomaticRotation,
        ...(intervalSeconds === undefined ? {} : { rotationIntervalSeconds: intervalSeconds }),
      };
    });
  },
);
