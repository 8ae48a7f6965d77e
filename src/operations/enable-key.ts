import { KeyState, StateRule } from '../domain/key-state.js';
import { mutateKey } from './key-access.js';
import { defineOperation } from './operation.js';

export interface EnableKeyInput {
  readonly keyId: string;
}

export const enableKey = defineOperation('EnableKey', async (context, input: EnableKeyInput): Promise<void> => {
  await mutateKey(context, input.keyId, 'EnableKey', StateRule.ChangeEnablement, () => ({ keyState: KeyState.Enabled }));
});
