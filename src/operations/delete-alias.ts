import { aliasArn } from '../domain/arn.js';
import { KmsError } from '../domain/errors.js';
import { StoreConflictError } from '../domain/ports.js';
import { authorize } from './authorization.js';
import { defineOperation } from './operation.js';

export interface DeleteAliasInput {
  readonly aliasName: string;
}

export const deleteAlias = defineOperation('DeleteAlias', async (context, input: DeleteAliasInput): Promise<void> => {
  authorize(context.caller, 'DeleteAlias', aliasArn(context.keys.scope, input.aliasName));
  try {
    await context.keys.store.deleteAlias(input.aliasName);
  } catch (error) {
    if (error instanceof StoreConflictError && error.reason === 'alias-missing') throw new KmsError('ForbiddenAliasNotFound');
    throw error;
  }
  context.keys.forgetAlias(input.aliasName);
});
