import type { EncryptionContext } from '../domain/encryption-context.js';
import { StateRule } from '../domain/key-state.js';
import { openCiphertext } from './ciphertext.js';
import { defineOperation, resource } from './operation.js';

export interface DecryptInput {
  /** The blob, binary. */
  readonly ciphertextBlob: Buffer;
  readonly encryptionContext: EncryptionContext;
  readonly dryRun: boolean;
}

export interface DecryptOutput {
  readonly keyId: string;
  readonly keyVersionId: string;
  /** The bytes that were sealed; the caller owns them (and should zero them when done). */
  readonly plaintext: Buffer;
}

export const decrypt = defineOperation({
  action: 'Decrypt',
  resources: (input: DecryptInput) => ({ key: resource.ciphertext(input.ciphertextBlob, StateRule.UseKey, input.encryptionContext) }),
  run: async (_context, input, { key: ciphertext }): Promise<DecryptOutput> => {
    const { plaintext } = await openCiphertext(ciphertext, input.encryptionContext, input.dryRun);
    return { keyId: ciphertext.key.keyId, keyVersionId: ciphertext.keyVersionId, plaintext };
  },
});
