import { DAY_IN_SECONDS } from '../../domain/rotation-interval.js';
import { describeKey } from '../../operations/describe-key.js';
import { awsAction } from '../aws-action.js';
import { awsKeyArn } from '../aws-arn.js';
import { epochSeconds } from '../aws-shapes.js';

/**
 * From the key's rotation policy, whichever API set it. A period set through the Alibaba API
 * that is not a whole number of days (`36h`) is reported rounded down to whole days, and may be
 * shorter than AWS's 90 (ADR 35).
 */
export const getKeyRotationStatusAwsAction = awsAction({
  name: 'GetKeyRotationStatus',
  actions: [describeKey.action],
  run: async (params, { execute, scope }) => {
    const key = await execute(describeKey, { key: params.keyReference('KeyId', 'key-only') });
    const interval = key.rotationIntervalSeconds;
    return {
      KeyId: awsKeyArn(scope, key.keyId),
      KeyRotationEnabled: key.automaticRotation,
      ...(interval === null ? {} : { RotationPeriodInDays: Math.floor(interval / DAY_IN_SECONDS) }),
      ...(key.automaticRotation && interval !== null ? { NextRotationDate: epochSeconds(key.lastRotationDate + interval * 1000) } : {}),
    };
  },
});
