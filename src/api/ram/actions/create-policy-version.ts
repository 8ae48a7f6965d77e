import { KmsError } from '../../../domain/errors.js';
import { createPolicyVersion } from '../../../operations/ram/create-policy-version.js';
import { wireAction } from '../../wire-action.js';
import { ramDate } from '../ram-shapes.js';

const ROTATE_STRATEGIES = ['None', 'DeleteOldestNonDefaultVersionWhenLimitExceeded'];

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-createpolicyversion
export const createPolicyVersionAction = wireAction({
  action: 'CreatePolicyVersion',
  operation: createPolicyVersion,
  parse: (params) => {
    const rotateStrategy = params.optional('RotateStrategy') ?? 'None';
    if (!ROTATE_STRATEGIES.includes(rotateStrategy)) throw new KmsError('InvalidInput', 'RotateStrategy');
    return {
      policyName: params.required('PolicyName'),
      policyDocument: params.required('PolicyDocument'),
      setAsDefault: params.optionalBoolean('SetAsDefault') ?? false,
      deleteOldestWhenFull: rotateStrategy !== 'None',
    };
  },
  respond: ({ version, isDefault }) => ({
    PolicyVersion: {
      VersionId: version.versionId,
      IsDefaultVersion: isDefault,
      PolicyDocument: version.document,
      CreateDate: ramDate(version.createDate),
    },
  }),
});
