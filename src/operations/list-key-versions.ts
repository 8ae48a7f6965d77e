import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import type { Page } from '../domain/ports.js';
import type { KeyVersionSummary } from './create-key-version.js';
import { defineOperation, resource, type Paged } from './operation.js';

export interface ListKeyVersionsInput {
  readonly key: KeyReference;
  readonly page: Page;
}

export const listKeyVersions = defineOperation({
  action: 'ListKeyVersions',
  resources: (input: ListKeyVersionsInput) => ({ key: resource.key(input.key, StateRule.AnyState) }),
  run: async (context, input, { key }): Promise<Paged<KeyVersionSummary>> => {
    const result = await context.keys.listKeyVersions(key.keyId, input.page);
    const items = result.items.map(({ keyId, keyVersionId, creationDate }) => ({ keyId, keyVersionId, creationDate }));
    return { items, totalCount: result.totalCount, ...input.page };
  },
});
