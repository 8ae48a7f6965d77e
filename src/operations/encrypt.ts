import type { EncryptionContext } from '../domain/encryption-context.js';
import { KmsError } from '../domain/errors.js';
import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import { sealWithPrimary, type SealedResult } from './ciphertext.js';
import { defineOperation, resource } from './operation.js';

export interface EncryptInput {
  readonly key: KeyReference;
  /** Sealed exactly as given. */
  readonly plaintext: Buffer;
  readonly encryptionContext: EncryptionContext;
  readonly dryRun: boolean;
}

export const encrypt = defineOperation({
  action: 'Encrypt',
  resources: (input: EncryptInput) => ({ key: resource.key(input.key, StateRule.UseKey, input.encryptionContext) }),
  run: async (context, input, { key }): Promise<SealedResult> => {
    if (input.dryRun) throw new KmsError('DryRun');
    return sealWithPrimary(context, 'key', key, input.plaintext, input.encryptionContext);
  },
});
