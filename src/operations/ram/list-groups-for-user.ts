import type { GroupMembership } from '../../domain/identity.js';
import { defineOperation, resource } from '../operation.js';
import type { UserNameInput } from './get-user.js';
import { requireUserName } from './rules.js';

export const listGroupsForUser = defineOperation({
  action: 'ram:ListGroupsForUser',
  validate: (input: UserNameInput) => requireUserName(input.userName),
  resources: (input: UserNameInput) => ({ user: resource.user(input.userName) }),
  run: (context, input): Promise<GroupMembership[]> => context.identities.groupsForUser(input.userName),
});
