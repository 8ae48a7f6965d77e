import type { EncryptionContext } from '../domain/encryption-context.js';
import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import { openCiphertext, sealWithPrimary, type SealedResult } from './ciphertext.js';
import { defineOperation, resource } from './operation.js';

export interface ReEncryptInput {
  readonly ciphertextBlob: Buffer;
  readonly sourceEncryptionContext: EncryptionContext;
  readonly destinationKey: KeyReference;
  readonly destinationEncryptionContext: EncryptionContext;
  readonly dryRun: boolean;
}

/** Opens a blob and seals its plaintext under another key (or the same key's newest version). */
export const reEncrypt = defineOperation({
  action: 'ReEncrypt',
  // The destination is resolved first, as it always was: its refusals come before the source's.
  resources: (input: ReEncryptInput) => ({
    destination: resource.key(input.destinationKey, StateRule.UseKey, input.destinationEncryptionContext),
    source: resource.ciphertext(input.ciphertextBlob, StateRule.UseKey, input.sourceEncryptionContext),
  }),
  run: async (context, input, { destination, source }): Promise<SealedResult> => {
    // The new blob keeps the kind of the old: a data key stays exportable (ADR 26).
    const { plaintext, kind } = await openCiphertext(source, input.sourceEncryptionContext, input.dryRun);
    try {
      return await sealWithPrimary(context, 'destination', destination, plaintext, input.destinationEncryptionContext, kind);
    } finally {
      plaintext.fill(0);
    }
  },
});
