import { KeyState, StateRule } from '../domain/key-state.js';
import { mutateKey } from './key-access.js';
import { defineOperation } from './operation.js';

export interface DisableKeyInput {
  readonly keyId: string;
}

export const disableKey = defineOperation('DisableKey', async (context, input: DisableKeyInput): Promise<void> => {
  await mutateKey(context, input.keyId, 'DisableKey', StateRule.ChangeEnablement, () => ({ keyState: KeyState.Disabled }));
});
