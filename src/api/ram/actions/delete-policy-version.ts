import { deletePolicyVersion } from '../../../operations/ram/delete-policy-version.js';
import { wireAction } from '../../wire-action.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-deletepolicyversion
export const deletePolicyVersionAction = wireAction({
  action: 'DeletePolicyVersion',
  operation: deletePolicyVersion,
  parse: (params) => ({ policyName: params.required('PolicyName'), versionId: params.required('VersionId') }),
  respond: () => ({}),
});
