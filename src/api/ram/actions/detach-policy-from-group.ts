import { detachPolicyFromGroup } from '../../../operations/ram/detach-policy-from-group.js';
import { policyTypeOf } from '../../../operations/ram/rules.js';
import { wireAction } from '../../wire-action.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-detachpolicyfromgroup
// ResourceGroupId is not read: Arca has no resource groups, so every attachment is account-wide.
export const detachPolicyFromGroupAction = wireAction({
  action: 'DetachPolicyFromGroup',
  operation: detachPolicyFromGroup,
  parse: (params) => ({
    groupName: params.required('GroupName'),
    policyName: params.required('PolicyName'),
    policyType: policyTypeOf(params.required('PolicyType')),
  }),
  respond: () => ({}),
});
