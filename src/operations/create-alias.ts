import { assertValidAliasName } from '../domain/alias.js';
import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import { defineOperation, resource } from './operation.js';

export interface CreateAliasInput {
  readonly aliasName: string;
  readonly key: KeyReference;
}

export const createAlias = defineOperation({
  action: 'CreateAlias',
  validate: (input: CreateAliasInput) => assertValidAliasName(input.aliasName),
  resources: (input) => ({
    alias: resource.alias(input.aliasName, { target: false }),
    key: resource.key(input.key, StateRule.CreateAlias),
  }),
  run: async (context, input, { key }): Promise<void> => {
    await context.keys.createAlias(input.aliasName, key, StateRule.CreateAlias);
  },
});
