import { defineOperation, resource } from '../operation.js';
import { requireUserName } from './rules.js';

export interface AccessKeyOfUserInput {
  readonly userName: string;
  readonly accessKeyId: string;
}

export const deleteAccessKey = defineOperation({
  action: 'ram:DeleteAccessKey',
  validate: (input: AccessKeyOfUserInput) => requireUserName(input.userName),
  resources: (input: AccessKeyOfUserInput) => ({ user: resource.user(input.userName) }),
  run: (context, input): Promise<void> => context.identities.deleteAccessKey(input.userName, input.accessKeyId),
});
