import { assertValidAliasName } from '../domain/alias.js';
import { KmsError } from '../domain/errors.js';
import { StateRule } from '../domain/key-state.js';
import { StoreConflictError } from '../domain/ports.js';
import { useKey } from './key-access.js';
import { defineOperation } from './operation.js';

export interface UpdateAliasInput {
  readonly aliasName: string;
  /** The new target. */
  readonly keyId: string;
}

export const updateAlias = defineOperation('UpdateAlias', async (context, input: UpdateAliasInput): Promise<void> => {
  assertValidAliasName(input.aliasName);
  const target = await useKey(context, input.keyId, 'UpdateAlias', StateRule.AliasTarget);
  if (!(await context.keys.store.getAlias(input.aliasName))) throw new KmsError('ForbiddenAliasNotFound');
  try {
    await context.keys.store.updateAlias(input.aliasName, target.keyId);
  } catch (error) {
    if (error instanceof StoreConflictError && error.reason === 'alias-missing') throw new KmsError('ForbiddenAliasNotFound');
    throw error;
  }
  context.keys.forgetAlias(input.aliasName);
});
