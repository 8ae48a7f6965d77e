import { updateRotationPolicy } from '../../operations/update-rotation-policy.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const updateRotationPolicyAction = wireAction({
  action: 'UpdateRotationPolicy',
  operation: updateRotationPolicy,
  parse: (params) => ({
    keyId: params.required('KeyId'),
    enableAutomaticRotation: params.requiredBoolean('EnableAutomaticRotation'),
    rotationInterval: params.optional('RotationInterval') || undefined,
  }),
  respond: emptyBody,
});
