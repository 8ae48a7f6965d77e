import { updateRotationPolicy } from '../../operations/update-rotation-policy.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const updateRotationPolicyAction = wireAction({
  action: 'UpdateRotationPolicy',
  operation: updateRotationPolicy,
  parse: (params) => ({
    key: params.keyReference('KeyId'),
    enableAutomaticRotation: params.requiredBoolean('EnableAutomaticRotation'),
    rotationIntervalSeconds: params.optionalDurationSeconds('RotationInterval'),
  }),
  respond: emptyBody,
});
