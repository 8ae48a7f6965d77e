import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import type { KeyVersionSummary } from './create-key-version.js';
import { defineOperation, resource } from './operation.js';

export interface DescribeKeyVersionInput {
  readonly key: KeyReference;
  readonly keyVersionId: string;
}

export const describeKeyVersion = defineOperation({
  action: 'DescribeKeyVersion',
  resources: (input: DescribeKeyVersionInput) => ({ key: resource.key(input.key, StateRule.AnyState) }),
  run: async (context, input, { key }): Promise<KeyVersionSummary> => {
    const version = await context.keys.versionOf(key, input.keyVersionId);
    context.recordKeyVersion('key', version.keyVersionId);
    return { keyId: version.keyId, keyVersionId: version.keyVersionId, creationDate: version.creationDate };
  },
});
