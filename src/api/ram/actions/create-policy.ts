import { createPolicy } from '../../../operations/ram/create-policy.js';
import { wireAction } from '../../wire-action.js';
import { textOf } from '../ram-params.js';
import { ramDate } from '../ram-shapes.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-createpolicy
export const createPolicyAction = wireAction({
  action: 'CreatePolicy',
  operation: createPolicy,
  parse: (params) => ({
    policyName: params.required('PolicyName'),
    description: textOf(params, 'Description'),
    policyDocument: params.required('PolicyDocument'),
  }),
  respond: ({ policy }) => ({
    Policy: {
      PolicyName: policy.policyName,
      PolicyType: 'Custom',
      Description: policy.description,
      DefaultVersion: policy.defaultVersion,
      CreateDate: ramDate(policy.createDate),
    },
  }),
});
