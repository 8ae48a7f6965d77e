import { defineOperation, resource } from '../operation.js';
import type { UserNameInput } from './get-user.js';
import { requireUserName } from './rules.js';

export const deleteUser = defineOperation({
  action: 'ram:DeleteUser',
  validate: (input: UserNameInput) => requireUserName(input.userName),
  resources: (input: UserNameInput) => ({ user: resource.user(input.userName) }),
  run: (context, input): Promise<void> => context.identities.deleteUser(input.userName),
});
