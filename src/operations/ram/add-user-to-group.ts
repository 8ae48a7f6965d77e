import { defineOperation, resource } from '../operation.js';
import { requireGroupName, requireUserName } from './rules.js';

export interface MembershipInput {
  readonly userName: string;
  readonly groupName: string;
}

export const addUserToGroup = defineOperation({
  action: 'ram:AddUserToGroup',
  validate(input: MembershipInput) {
    requireUserName(input.userName);
    requireGroupName(input.groupName);
  },
  resources: (input: MembershipInput) => ({ group: resource.group(input.groupName), user: resource.user(input.userName) }),
  run: (context, input): Promise<void> => context.identities.addUserToGroup(input.userName, input.groupName),
});
