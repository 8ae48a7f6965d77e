import type { KeyReference } from '../domain/key-reference.js';
import { KeyState, StateRule } from '../domain/key-state.js';
import { defineOperation, resource } from './operation.js';

export interface DisableKeyInput {
  readonly key: KeyReference;
}

export const disableKey = defineOperation({
  action: 'DisableKey',
  resources: (input: DisableKeyInput) => ({ key: resource.key(input.key, StateRule.ChangeEnablement) }),
  run: async (context, _input, { key }): Promise<void> => {
    await context.keys.mutateKey(key.keyId, StateRule.ChangeEnablement, () => ({ keyState: KeyState.Disabled }));
  },
});
