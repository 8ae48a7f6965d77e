import { defineOperation, resource } from './operation.js';

export interface DeleteAliasInput {
  readonly aliasName: string;
}

/** The caller must be allowed on the alias and on the key it names. */
export const deleteAlias = defineOperation({
  action: 'DeleteAlias',
  resources: (input: DeleteAliasInput) => ({ alias: resource.alias(input.aliasName, { target: true }) }),
  run: async (context, input): Promise<void> => {
    await context.keys.deleteAlias(input.aliasName);
  },
});
