import type { Key } from '../domain/key.js';
import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import { defineOperation, resource } from './operation.js';

export interface ListResourceTagsInput {
  readonly key: KeyReference;
}

export const listResourceTags = defineOperation({
  action: 'ListResourceTags',
  resources: (input: ListResourceTagsInput) => ({ key: resource.key(input.key, StateRule.AnyState) }),
  run: (_context, _input, { key }): Promise<Pick<Key, 'keyId' | 'tags'>> => Promise.resolve({ keyId: key.keyId, tags: key.tags }),
});
