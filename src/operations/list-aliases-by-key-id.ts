import type { Alias } from '../domain/key.js';
import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import type { Page } from '../domain/ports.js';
import { defineOperation, resource, type Paged } from './operation.js';

export interface ListAliasesByKeyIdInput {
  readonly key: KeyReference;
  readonly page: Page;
}

export const listAliasesByKeyId = defineOperation({
  action: 'ListAliasesByKeyId',
  resources: (input: ListAliasesByKeyIdInput) => ({ key: resource.key(input.key, StateRule.AnyState) }),
  run: async (context, input, { key }): Promise<Paged<Alias>> => ({
    ...(await context.keys.listAliases(input.page, key.keyId)),
    ...input.page,
  }),
});
