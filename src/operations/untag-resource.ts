import { StateRule } from '../domain/key-state.js';
import { removeTags } from '../domain/tags.js';
import { mutateKey } from './key-access.js';
import { defineOperation } from './operation.js';

export interface UntagResourceInput {
  readonly keyId: string;
  readonly tagKeys: readonly string[];
}

export const untagResource = defineOperation('UntagResource', async (context, input: UntagResourceInput): Promise<void> => {
  await mutateKey(context, input.keyId, 'UntagResource', StateRule.AnyState, (key) => ({
    tags: removeTags(key.tags, input.tagKeys),
  }));
});
