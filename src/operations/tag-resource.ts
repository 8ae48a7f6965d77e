import type { Tag } from '../domain/key.js';
import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import { assertValidTags, mergeTags } from '../domain/tags.js';
import { defineOperation, resource } from './operation.js';

export interface TagResourceInput {
  readonly key: KeyReference;
  readonly tags: readonly Tag[];
}

export const tagResource = defineOperation({
  action: 'TagResource',
  validate: (input: TagResourceInput) => assertValidTags(input.tags, 'tags'),
  resources: (input) => ({ key: resource.key(input.key, StateRule.TagResource) }),
  run: async (context, input, { key }): Promise<void> => {
    await context.keys.mutateKey(key.keyId, StateRule.TagResource, (stored) => ({ tags: mergeTags(stored.tags, input.tags) }));
  },
});
