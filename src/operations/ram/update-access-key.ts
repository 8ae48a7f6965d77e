import { defineOperation, resource } from '../operation.js';
import { requireUserName } from './rules.js';

export interface UpdateAccessKeyInput {
  readonly userName: string;
  readonly accessKeyId: string;
  readonly active: boolean;
}

/** Inactive refuses the key's next request, in every process: the record is read per request. */
export const updateAccessKey = defineOperation({
  action: 'ram:UpdateAccessKey',
  validate: (input: UpdateAccessKeyInput) => requireUserName(input.userName),
  resources: (input: UpdateAccessKeyInput) => ({ user: resource.user(input.userName) }),
  run: (context, input): Promise<void> => context.identities.setAccessKeyEnabled(input.userName, input.accessKeyId, input.active),
});
