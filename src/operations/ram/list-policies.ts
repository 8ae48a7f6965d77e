import type { PolicyType } from '../../domain/identity.js';
import { defineOperation, resource } from '../operation.js';
import type { ListedPage } from './list-users.js';
import type { PolicyView } from './policy-views.js';
import { systemPolicies } from './system-policies.js';

export interface ListPoliciesInput {
  /** Only this type; both when absent. */
  readonly policyType?: PolicyType;
  /** `<PolicyType>:<PolicyName>` of the last policy of the previous page. */
  readonly marker?: string;
  readonly maxItems: number;
}

export interface ListedPolicy extends PolicyView {
  readonly attachmentCount: number;
}

/** System policies first, then custom ones, each by name. */
export const listPolicies = defineOperation({
  action: 'ram:ListPolicies',
  resources: () => ({ policies: resource.policy('*') }),
  async run(context, input: ListPoliciesInput): Promise<ListedPage<ListedPolicy>> {
    const { identities } = context;
    const [markerType, markerName] = splitMarker(input.marker);
    const wanted = input.maxItems + 1;
    const views: PolicyView[] = [];
    if (input.policyType !== 'Custom' && markerType !== 'Custom') {
      for (const system of systemPolicies()) {
        if (markerName !== undefined && markerType === 'System' && system.policyName <= markerName) continue;
        const { createDate } = system.version;
        views.push({
          policyType: 'System',
          policyName: system.policyName,
          description: system.description,
          defaultVersion: 'v1',
          createDate,
          updateDate: createDate,
        });
      }
    }
    if (input.policyType !== 'System' && views.length < wanted) {
      const after = markerType === 'Custom' ? markerName : undefined;
      for (const custom of await identities.listPolicies(after, wanted - views.length)) views.push({ policyType: 'Custom', ...custom });
    }
    const page = views.slice(0, input.maxItems);
    const items = await Promise.all(page.map(async (view) => ({ ...view, attachmentCount: await identities.countAttachments(view) })));
    const last = page[page.length - 1];
    return views.length > input.maxItems && last ? { items, marker: `${last.policyType}:${last.policyName}` } : { items };
  },
});

function splitMarker(marker: string | undefined): [string | undefined, string | undefined] {
  if (marker === undefined) return [undefined, undefined];
  const colon = marker.indexOf(':');
  return colon < 0 ? [undefined, undefined] : [marker.slice(0, colon), marker.slice(colon + 1)];
}
