import { listPoliciesForUser } from '../../../operations/ram/list-policies-for-user.js';
import { wireAction } from '../../wire-action.js';
import { ramDate } from '../ram-shapes.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-listpoliciesforuser
export const listPoliciesForUserAction = wireAction({
  action: 'ListPoliciesForUser',
  operation: listPoliciesForUser,
  parse: (params) => ({ userName: params.required('UserName') }),
  respond: (policies) => ({
    Policies: {
      Policy: policies.map((policy) => ({
        PolicyName: policy.policyName,
        PolicyType: policy.policyType,
        Description: policy.description,
        DefaultVersion: policy.defaultVersion,
        AttachDate: ramDate(policy.attachDate),
      })),
    },
  }),
});
