import type { Key } from '../domain/key.js';
import type { KeyFilter, Page } from '../domain/ports.js';
import { defineOperation, resource, type Paged } from './operation.js';

export interface ListKeysInput {
  readonly filter: KeyFilter;
  readonly page: Page;
}

export const listKeys = defineOperation({
  action: 'ListKeys',
  resources: (_input: ListKeysInput) => ({ keys: resource.keys() }),
  run: async (context, input): Promise<Paged<Key>> => {
    // A field whose accepted values are empty (say, CreatorType=Service) matches no key; the store
    // reads an empty list as "no constraint", so answer here.
    if (Object.values(input.filter).some((values: readonly string[] | undefined) => values?.length === 0)) {
      return { items: [], totalCount: 0, ...input.page };
    }
    return { ...(await context.keys.listKeys(input.filter, input.page)), ...input.page };
  },
});
