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
  return { ...(await context.keys.store.listKeys(input.filter, input.page)), ...input.page };
});
