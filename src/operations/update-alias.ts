import { assertValidAliasName } from '../domain/alias.js';
import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import { defineOperation, resource } from './operation.js';

export interface UpdateAliasInput {
  readonly aliasName: string;
  /** The new target. */
  readonly key: KeyReference;
}

/** Points an alias at another key: the caller must be allowed on the alias, its current key and the new one. */
export const updateAlias = defineOperation({
  action: 'UpdateAlias',
  validate: (input: UpdateAliasInput) => assertValidAliasName(input.aliasName),
  // The new target is judged first, as it always was: its refusals come before the alias's.
  resources: (input) => ({ key: resource.key(input.key, StateRule.AliasTarget), alias: resource.alias(input.aliasName, { target: true }) }),
  run: async (context, input, { key }): Promise<void> => {
    await context.keys.updateAlias(input.aliasName, key, StateRule.AliasTarget);
  },
});
