import type { Alias } from '../domain/key.js';
import type { Page } from '../domain/ports.js';
import { defineOperation, resource, type Paged } from './operation.js';

export interface ListAliasesInput {
  readonly page: Page;
}

export const listAliases = defineOperation({
  action: 'ListAliases',
  resources: (_input: ListAliasesInput) => ({ aliases: resource.aliases() }),
  run: async (context, input): Promise<Paged<Alias>> => ({ ...(await context.keys.listAliases(input.page)), ...input.page }),
});
