import type { RamUser } from '../../domain/identity.js';
import { defineOperation, resource } from '../operation.js';
import { requireUserName } from './rules.js';

export interface UserNameInput {
  readonly userName: string;
}

export const getUser = defineOperation({
  action: 'ram:GetUser',
  validate: (input: UserNameInput) => requireUserName(input.userName),
  resources: (input: UserNameInput) => ({ user: resource.user(input.userName) }),
  run: (context, input): Promise<RamUser> => context.identities.user(input.userName),
});
