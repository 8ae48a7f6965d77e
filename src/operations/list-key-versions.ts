import { StateRule } from '../domain/key-state.js';
import type { Page } from '../domain/ports.js';
import type { KeyVersionSummary } from './create-key-version.js';
import { useKey } from './key-access.js';
import { defineOperation, type Paged } from './operation.js';

export interface ListKeyVersionsInput {
  readonly keyId: string;
  readonly page: Page;
}

export const listKeyVersions = defineOperation(
  'ListKeyVersions',
  async (context, input: ListKeyVersionsInput): Promise<Paged<KeyVersionSummary>> => {
    const key = await useKey(context, input.keyId, 'ListKeyVersions', StateRule.AnyState);
    const result = await context.keys.store.listKeyVersions(key.keyId, input.page);
    const items = result.items.map(({ keyId, keyVersionId, creationDate }) => ({ keyId, keyVersionId, creationDate }));
    return { items, totalCount: result.totalCount, ...input.page };
  },
);
