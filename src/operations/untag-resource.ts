import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import { removeTags } from '../domain/tags.js';
import { defineOperation, resource } from './operation.js';

export interface UntagResourceInput {
  readonly key: KeyReference;
  readonly tagKeys: readonly string[];
}

export const untagResource = defineOperation({
  action: 'UntagResource',
  resources: (input: UntagResourceInput) => ({ key: resource.key(input.key, StateRule.UntagResource) }),
  run: async (context, input, { key }): Promise<void> => {
    await context.keys.mutateKey(key.keyId, StateRule.UntagResource, (stored) => ({ tags: removeTags(stored.tags, input.tagKeys) }));
  },
});
