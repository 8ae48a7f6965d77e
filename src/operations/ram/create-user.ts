import type { RamUser } from '../../domain/identity.js';
import { defineOperation, resource } from '../operation.js';
import { requireUserName, requireUserTexts, type UserTexts } from './rules.js';

export interface CreateUserInput extends UserTexts {
  readonly userName: string;
}

const FIELDS = { displayName: 'displayName', email: 'email', mobilePhone: 'mobilePhone', comments: 'comments' } as const;

export const createUser = defineOperation({
  action: 'ram:CreateUser',
  validate(input: CreateUserInput) {
    requireUserName(input.userName);
    requireUserTexts(input, FIELDS);
  },
  resources: (input: CreateUserInput) => ({ user: resource.user(input.userName) }),
  run(context, input): Promise<RamUser> {
    // RAM gives a user without a display name its user name as one.
    return context.identities.createUser({ ...input, displayName: input.displayName || input.userName });
  },
});
