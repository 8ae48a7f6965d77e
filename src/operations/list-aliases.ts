import type { Alias } from '../domain/key.js';
import type { Page } from '../domain/ports.js';
import { authorize } from './authorization.js';
import { defineOperation, type Paged } from './operation.js';

export interface ListAliasesInput {
  readonly page: Page;
}

export const listAliases = defineOperation('ListAliases', async (context, input: ListAliasesInput): Promise<Paged<Alias>> => {
  authorize(context.caller, 'ListAliases', '*');
  return { ...(await context.keys.store.listAliases(input.page)), ...input.page };
});
