import { attachPolicyToUser } from '../../../operations/ram/attach-policy-to-user.js';
import { policyTypeOf } from '../../../operations/ram/rules.js';
import { wireAction } from '../../wire-action.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-attachpolicytouser
// ResourceGroupId is not read: Arca has no resource groups, so every attachment is account-wide.
export const attachPolicyToUserAction = wireAction({
  action: 'AttachPolicyToUser',
  operation: attachPolicyToUser,
  parse: (params) => ({
    userName: params.required('UserName'),
    policyName: params.required('PolicyName'),
    policyType: policyTypeOf(params.required('PolicyType')),
  }),
  respond: () => ({}),
});
