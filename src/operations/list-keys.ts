import type { Key } from '../domain/key.js';
import type { KeyFilter, Page } from '../domain/ports.js';
import { authorize } from './authorization.js';
import { defineOperation, type Paged } from './operation.js';

export interface ListKeysInput {
  readonly filter: KeyFilter;
  readonly page: Page;
}

export const listKeys = defineOperation('ListKeys', async (context, input: ListKeysInput): Promise<Paged<Key>> => {
  authorize(context.caller, 'ListKeys', '*');
  // A field whose accepted values are empty (say, CreatorType=Service) matches no key; the store
  // reads an empty list as "no constraint", so answer here.
  if (Object.values(input.filter).some((values: readonly string[] | undefined) => values?.length === 0)) {
    return { items: [], totalCount: 0, ...input.page };
  }
  return { ...(await context.keys.store.listKeys(input.filter, input.page)), ...input.page };
});
