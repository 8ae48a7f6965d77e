import type { EncryptionContext } from '../domain/encryption-context.js';
import { KmsError } from '../domain/errors.js';
import { StateRule } from '../domain/key-state.js';
import { sealWithPrimary, type SealedResult } from './ciphertext.js';
import { useKey } from './key-access.js';
import { defineOperation } from './operation.js';

/** 6 KB, counted in UTF-8 bytes of the Plaintext string. */
export const MAX_PLAINTEXT_BYTES = 6144;

export interface EncryptInput {
  readonly keyId: string;
  /** Sealed as its UTF-8 bytes, exactly as given: Arca does not base64-decode it. */
  readonly plaintext: string;
  readonly encryptionContext: EncryptionContext;
  readonly dryRun: boolean;
}

export const encrypt = defineOperation('Encrypt', async (context, input: EncryptInput): Promise<SealedResult> => {
  const plaintext = Buffer.from(input.plaintext, 'utf8');
  if (plaintext.length > MAX_PLAINTEXT_BYTES) throw new KmsError('InvalidParameter', 'Plaintext');
  const key = await useKey(context, input.keyId, 'Encrypt', StateRule.UseKey);
  if (input.dryRun) throw new KmsError('DryRunOperation');
  return sealWithPrimary(context, key, plaintext, input.encryptionContext);
});
