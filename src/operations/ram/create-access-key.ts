import { defineOperation, resource } from '../operation.js';
import type { UserNameInput } from './get-user.js';
import type { CreatedAccessKey } from './identity-repository.js';
import { requireUserName } from './rules.js';

/** The new key's secret is in the answer this once; it is stored sealed and never shown again. */
export const createAccessKey = defineOperation({
  action: 'ram:CreateAccessKey',
  validate: (input: UserNameInput) => requireUserName(input.userName),
  resources: (input: UserNameInput) => ({ user: resource.user(input.userName) }),
  run: (context, input): Promise<CreatedAccessKey> => context.identities.createAccessKey(input.userName),
});
