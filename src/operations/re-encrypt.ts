import type { EncryptionContext } from '../domain/encryption-context.js';
import { StateRule } from '../domain/key-state.js';
import { openBlob, sealWithPrimary, type SealedResult } from './ciphertext.js';
import { useKey } from './key-access.js';
import { defineOperation } from './operation.js';

export interface ReEncryptInput {
  readonly ciphertextBlob: string;
  readonly sourceEncryptionContext: EncryptionContext;
  readonly destinationKeyId: string;
  readonly destinationEncryptionContext: EncryptionContext;
  readonly dryRun: boolean;
}

/** Opens a blob and seals its plaintext under another key (or the same key's newest version). */
export const reEncrypt = defineOperation('ReEncrypt', async (context, input: ReEncryptInput): Promise<SealedResult> => {
  const destination = await useKey(context, input.destinationKeyId, 'ReEncrypt', StateRule.UseKey);
  const opened = await openBlob(context, input.ciphertextBlob, input.sourceEncryptionContext, 'ReEncrypt', input.dryRun);
  try {
    // The audit event names the destination; the source was checked and admitted above.
    context.audit.keyId = destination.keyId;
    return await sealWithPrimary(context, destination, opened.plaintext, input.destinationEncryptionContext);
  } finally {
    opened.plaintext.fill(0);
  }
});
