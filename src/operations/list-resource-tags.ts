import type { Key } from '../domain/key.js';
import { StateRule } from '../domain/key-state.js';
import { useKey } from './key-access.js';
import { defineOperation } from './operation.js';

export interface ListResourceTagsInput {
  readonly keyId: string;
}

export const listResourceTags = defineOperation(
  'ListResourceTags',
  async (context, input: ListResourceTagsInput): Promise<Pick<Key, 'keyId' | 'tags'>> => {
    const key = await useKey(context, input.keyId, 'ListResourceTags', StateRule.AnyState);
    return { keyId: key.keyId, tags: key.tags };
  },
);
