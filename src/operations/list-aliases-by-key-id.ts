import type { Alias } from '../domain/key.js';
import { StateRule } from '../domain/key-state.js';
import type { Page } from '../domain/ports.js';
import { useKey } from './key-access.js';
import { defineOperation, type Paged } from './operation.js';

export interface ListAliasesByKeyIdInput {
  readonly keyId: string;
  readonly page: Page;
}

export const listAliasesByKeyId = defineOperation(
  'ListAliasesByKeyId',
  async (context, input: ListAliasesByKeyIdInput): Promise<Paged<Alias>> => {
    const key = await useKey(context, input.keyId, 'ListAliasesByKeyId', StateRule.AnyState);
    return { ...(await context.keys.store.listAliases(input.page, key.keyId)), ...input.page };
  },
);
