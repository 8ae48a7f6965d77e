import type { EncryptionContext } from '../domain/encryption-context.js';
import { openBlob } from './ciphertext.js';
import { defineOperation } from './operation.js';

export interface DecryptInput {
  readonly ciphertextBlob: string;
  readonly encryptionContext: EncryptionContext;
  readonly dryRun: boolean;
}

export interface DecryptOutput {
  readonly keyId: string;
  readonly keyVersionId: string;
  readonly plaintext: string;
}

export const decrypt = defineOperation('Decrypt', async (context, input: DecryptInput): Promise<DecryptOutput> => {
  const opened = await openBlob(context, input.ciphertextBlob, input.encryptionContext, 'Decrypt', input.dryRun);
  return { keyId: opened.key.keyId, keyVersionId: opened.keyVersionId, plaintext: opened.plaintext.toString('utf8') };
});
