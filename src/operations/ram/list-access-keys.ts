import type { AccessKeyRecord } from '../../domain/ports.js';
import { defineOperation, resource } from '../operation.js';
import type { UserNameInput } from './get-user.js';
import { requireUserName } from './rules.js';

/** The wire shows ids, dates and status only; the sealed secret never leaves the store's record. */
export const listAccessKeys = defineOperation({
  action: 'ram:ListAccessKeys',
  validate: (input: UserNameInput) => requireUserName(input.userName),
  resources: (input: UserNameInput) => ({ user: resource.user(input.userName) }),
  run: (context, input): Promise<AccessKeyRecord[]> => context.identities.listAccessKeys(input.userName),
});
