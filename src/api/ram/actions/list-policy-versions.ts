import { listPolicyVersions } from '../../../operations/ram/list-policy-versions.js';
import { policyTypeOf } from '../../../operations/ram/rules.js';
import { wireAction } from '../../wire-action.js';
import { ramDate } from '../ram-shapes.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-listpolicyversions
export const listPolicyVersionsAction = wireAction({
  action: 'ListPolicyVersions',
  operation: listPolicyVersions,
  parse: (params) => ({ policyName: params.required('PolicyName'), policyType: policyTypeOf(params.required('PolicyType')) }),
  respond: ({ versions, defaultVersion }) => ({
    PolicyVersions: {
      PolicyVersion: versions.map((version) => ({
        VersionId: version.versionId,
        IsDefaultVersion: version.versionId === defaultVersion,
        PolicyDocument: version.document,
        CreateDate: ramDate(version.createDate),
      })),
    },
  }),
});
