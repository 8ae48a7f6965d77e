import { keyArn } from '../domain/arn.js';
import { authorize } from './authorization.js';
import { KmsError } from '../domain/errors.js';
import { StateRule } from '../domain/key-state.js';
import { useKey } from './key-access.js';
import { destroyImportedMaterial, requireExternal } from './key-material.js';
import { defineOperation } from './operation.js';

export interface DeleteKeyMaterialInput {
  readonly keyId: string;
}

const MAX_ATTEMPTS = 3;

/** Destroys an EXTERNAL key's imported material now (any state; see destroyImportedMaterial). */
export const deleteKeyMaterial = defineOperation('DeleteKeyMaterial', async (context, input: DeleteKeyMaterialInput): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    const key = await context.keys.resolve(input.keyId);
    // Permission first: a caller who may not act on the key must not learn its origin.
    authorize(context.caller, 'DeleteKeyMaterial', keyArn(context.keys.scope, key.keyId));
    requireExternal(key);
    await useKey(context, key.keyId, 'DeleteKeyMaterial', StateRule.AnyState);
    if (await destroyImportedMaterial(context.keys, key)) return;
    if (attempt >= MAX_ATTEMPTS) throw new KmsError('RejectedConcurrentModification');
  }
});
