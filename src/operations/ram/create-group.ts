import type { RamGroup } from '../../domain/identity.js';
import { defineOperation, resource } from '../operation.js';
import { requireComments, requireGroupName } from './rules.js';

export interface CreateGroupInput {
  readonly groupName: string;
  readonly comments: string;
}

export const createGroup = defineOperation({
  action: 'ram:CreateGroup',
  validate(input: CreateGroupInput) {
    requireGroupName(input.groupName);
    requireComments(input.comments);
  },
  resources: (input: CreateGroupInput) => ({ group: resource.group(input.groupName) }),
  run: (context, input): Promise<RamGroup> => context.identities.createGroup(input.groupName, input.comments),
});
