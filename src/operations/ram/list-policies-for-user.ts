import { defineOperation, resource } from '../operation.js';
import type { UserNameInput } from './get-user.js';
import { policyView, type PolicyView } from './policy-views.js';
import { requireUserName } from './rules.js';

export interface UserPolicyView extends PolicyView {
  readonly attachDate: number;
}

/** The policies attached to the user itself (not those of its groups), as RAM lists them. */
export const listPoliciesForUser = defineOperation({
  action: 'ram:ListPoliciesForUser',
  validate: (input: UserNameInput) => requireUserName(input.userName),
  resources: (input: UserNameInput) => ({ user: resource.user(input.userName) }),
  async run(context, input): Promise<UserPolicyView[]> {
    const attachments = await context.identities.policiesAttachedToUser(input.userName);
    const views = await Promise.all(
      attachments.map(async (attachment) => {
        try {
          return [{ ...(await policyView(context.identities, attachment)), attachDate: attachment.attachDate }];
        } catch {
          // A system policy a later Arca no longer has: nothing to show, nothing in force.
          return [];
        }
      }),
    );
    return views.flat();
  },
});
