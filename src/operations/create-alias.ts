import { assertValidAliasName } from '../domain/alias.js';
import { KmsError } from '../domain/errors.js';
import { StateRule } from '../domain/key-state.js';
import { StoreConflictError } from '../domain/ports.js';
import { useKey } from './key-access.js';
import { defineOperation } from './operation.js';

export interface CreateAliasInput {
  readonly aliasName: string;
  readonly keyId: string;
}

export const createAlias = defineOperation('CreateAlias', async (context, input: CreateAliasInput): Promise<void> => {
  assertValidAliasName(input.aliasName);
  const key = await useKey(context, input.keyId, 'CreateAlias', StateRule.CreateAlias);
  try {
    await context.keys.store.createAlias({ aliasName: input.aliasName, keyId: key.keyId, creationDate: context.clock.now() });
  } catch (error) {
    if (error instanceof StoreConflictError && error.reason === 'alias-exists') throw new KmsError('AliasAlreadyExists');
    if (error instanceof StoreConflictError) throw new KmsError('ForbiddenKeyNotFound');
    throw error;
  }
  context.keys.forgetAlias(input.aliasName);
});
