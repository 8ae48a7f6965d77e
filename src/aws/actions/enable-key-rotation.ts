import { KmsError } from '../../domain/errors.js';
import { DAY_IN_SECONDS } from '../../domain/rotation-interval.js';
import { updateRotationPolicy } from '../../operations/update-rotation-policy.js';
import { awsAction, noOutput } from '../aws-action.js';

/**
 * AWS's rotation period: 90 to 2560 days, 365 by default. Arca's keys rotate at most every
 * 730 days (the Alibaba API's bound, src/domain/rotation-interval.ts), so a longer period is
 * refused by the operation with ValidationException.
 */
const MIN_AWS_ROTATION_DAYS = 90;
const MAX_AWS_ROTATION_DAYS = 2560;
const DEFAULT_AWS_ROTATION_DAYS = 365;

export const enableKeyRotationAwsAction = awsAction({
  name: 'EnableKeyRotation',
  actions: [updateRotationPolicy.action],
  run: async (params, { execute }) => {
    const key = params.keyReference('KeyId', 'key-only');
    const days = params.optionalInteger('RotationPeriodInDays') ?? DEFAULT_AWS_ROTATION_DAYS;
    if (days < MIN_AWS_ROTATION_DAYS || days > MAX_AWS_ROTATION_DAYS) throw new KmsError('InvalidInput', 'rotationPeriodInDays');
    await execute(updateRotationPolicy, { key, enableAutomaticRotation: true, rotationIntervalSeconds: days * DAY_IN_SECONDS });
    return noOutput();
  },
});
