import { detachPolicyFromUser } from '../../../operations/ram/detach-policy-from-user.js';
import { policyTypeOf } from '../../../operations/ram/rules.js';
import { wireAction } from '../../wire-action.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-detachpolicyfromuser
// ResourceGroupId is not read: Arca has no resource groups, so every attachment is account-wide.
export const detachPolicyFromUserAction = wireAction({
  action: 'DetachPolicyFromUser',
  operation: detachPolicyFromUser,
  parse: (params) => ({
    userName: params.required('UserName'),
    policyName: params.required('PolicyName'),
    policyType: policyTypeOf(params.required('PolicyType')),
  }),
  respond: () => ({}),
});
