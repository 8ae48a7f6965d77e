import { listPolicies } from '../../../operations/ram/list-policies.js';
import { policyTypeOf } from '../../../operations/ram/rules.js';
import { wireAction } from '../../wire-action.js';
import { maxItemsOf } from '../ram-params.js';
import { pagingBody, policyBody } from '../ram-shapes.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-listpolicies
export const listPoliciesAction = wireAction({
  action: 'ListPolicies',
  operation: listPolicies,
  parse: (params) => {
    const policyType = params.optional('PolicyType');
    const marker = params.optional('Marker');
    return {
      maxItems: maxItemsOf(params),
      ...(policyType ? { policyType: policyTypeOf(policyType) } : {}),
      ...(marker ? { marker } : {}),
    };
  },
  respond: ({ items, marker }) => ({
    Policies: { Policy: items.map((item) => ({ ...policyBody(item), AttachmentCount: item.attachmentCount })) },
    ...pagingBody(marker),
  }),
});
