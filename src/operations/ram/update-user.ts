import type { RamUser } from '../../domain/identity.js';
import { defineOperation, resource } from '../operation.js';
import { requireUserName, requireUserTexts, type UserTexts } from './rules.js';

/** What to change; an absent field keeps its value. */
export interface UpdateUserInput extends Partial<UserTexts> {
  readonly userName: string;
  readonly newUserName?: string;
}

const FIELDS = { displayName: 'newDisplayName', email: 'newEmail', mobilePhone: 'newMobilePhone', comments: 'newComments' } as const;

export const updateUser = defineOperation({
  action: 'ram:UpdateUser',
  validate(input: UpdateUserInput) {
    requireUserName(input.userName);
    if (input.newUserName !== undefined) requireUserName(input.newUserName, 'newUserName');
    requireUserTexts(input, FIELDS);
  },
  resources: (input: UpdateUserInput) => ({ user: resource.user(input.userName) }),
  async run(context, input): Promise<RamUser> {
    const user = await context.identities.user(input.userName);
    return context.identities.updateUser({
      ...user,
      userName: input.newUserName ?? user.userName,
      displayName: input.displayName ?? user.displayName,
      email: input.email ?? user.email,
      mobilePhone: input.mobilePhone ?? user.mobilePhone,
      comments: input.comments ?? user.comments,
    });
  },
});
