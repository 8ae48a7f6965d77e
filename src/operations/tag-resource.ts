import type { Tag } from '../domain/key.js';
import { StateRule } from '../domain/key-state.js';
import { assertValidTags, mergeTags } from '../domain/tags.js';
import { mutateKey } from './key-access.js';
import { defineOperation } from './operation.js';

export interface TagResourceInput {
  readonly keyId: string;
  readonly tags: readonly Tag[];
}

export const tagResource = defineOperation('TagResource', async (context, input: TagResourceInput): Promise<void> => {
  assertValidTags(input.tags, 'Tags');
  await mutateKey(context, input.keyId, 'TagResource', StateRule.AnyState, (key) => ({ tags: mergeTags(key.tags, input.tags) }));
});
