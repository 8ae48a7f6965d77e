import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import { destroyImportedMaterial, requireExternal, retryOnConflict } from './key-material.js';
import { defineOperation, resource } from './operation.js';

export interface DeleteKeyMaterialInput {
  readonly key: KeyReference;
}

/** Destroys an EXTERNAL key's imported material now (any state; see destroyImportedMaterial). */
export const deleteKeyMaterial = defineOperation({
  action: 'DeleteKeyMaterial',
  resources: (input: DeleteKeyMaterialInput) => ({ key: resource.key(input.key, StateRule.AnyState) }),
  run: async (context, _input, { key }): Promise<void> => {
    // The origin is told only to a caller the runner has authorised on the key.
    requireExternal(key);
    await retryOnConflict(context.keys, key, async (stored) => (await destroyImportedMaterial(context.keys, stored)) !== undefined);
  },
});
