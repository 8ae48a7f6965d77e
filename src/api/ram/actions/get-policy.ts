import { policyTypeOf } from '../../../operations/ram/rules.js';
import { getPolicy } from '../../../operations/ram/get-policy.js';
import { wireAction } from '../../wire-action.js';
import { policyBody, ramDate } from '../ram-shapes.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-getpolicy
export const getPolicyAction = wireAction({
  action: 'GetPolicy',
  operation: getPolicy,
  parse: (params) => ({ policyName: params.required('PolicyName'), policyType: policyTypeOf(params.required('PolicyType')) }),
  respond: ({ policy, defaultVersion, attachmentCount }) => ({
    Policy: { ...policyBody(policy), AttachmentCount: attachmentCount, PolicyDocument: defaultVersion.document },
    DefaultPolicyVersion: {
      VersionId: defaultVersion.versionId,
      IsDefaultVersion: true,
      PolicyDocument: defaultVersion.document,
      CreateDate: ramDate(defaultVersion.createDate),
    },
  }),
});
