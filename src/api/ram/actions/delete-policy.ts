import { deletePolicy } from '../../../operations/ram/delete-policy.js';
import { wireAction } from '../../wire-action.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-deletepolicy
export const deletePolicyAction = wireAction({
  action: 'DeletePolicy',
  operation: deletePolicy,
  parse: (params) => ({ policyName: params.required('PolicyName'), cascade: params.optionalBoolean('CascadingDelete') ?? false }),
  respond: () => ({}),
});
