import { defineOperation, resource } from '../operation.js';
import type { MembershipInput } from './add-user-to-group.js';
import { requireGroupName, requireUserName } from './rules.js';

/** The group's policies are out of force for the user from its next request on, in every process. */
export const removeUserFromGroup = defineOperation({
  action: 'ram:RemoveUserFromGroup',
  validate(input: MembershipInput) {
    requireUserName(input.userName);
    requireGroupName(input.groupName);
  },
  resources: (input: MembershipInput) => ({ group: resource.group(input.groupName), user: resource.user(input.userName) }),
  run: (context, input): Promise<void> => context.identities.removeUserFromGroup(input.userName, input.groupName),
});
