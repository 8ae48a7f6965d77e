import { AeadAuthenticationError, type Aead } from '../crypto/aead.js';
import { encodeCiphertextBlob } from '../domain/ciphertext-blob.js';
import { blobAdditionalData, type EncryptionContext } from '../domain/encryption-context.js';
import { KmsError } from '../domain/errors.js';
import type { Key } from '../domain/key.js';
import { materialUnavailable } from './key-repository.js';
import type { OperationContext, ResolvedCiphertext } from './operation.js';

export interface SealedResult {
  /** The blob, binary (the layout of the blob ADR). */
  readonly ciphertextBlob: Buffer;
  readonly keyId: string;
  readonly keyVersionId: string;
}

/**
 * Seals `plaintext` under the key's primary (newest) version: the only version new data uses.
 * `role` names the key's resource, whose audit entry records the version.
 */
export async function sealWithPrimary(
  context: OperationContext,
  role: string,
  key: Key,
  plaintext: Buffer,
  encryptionContext: EncryptionContext,
): Promise<SealedResult> {
  const keyVersionId = key.primaryKeyVersionId;
  const aead = await context.keys.aeadFor(key, keyVersionId);
  const sealed = await aead.encrypt(plaintext, blobAdditionalData(keyVersionId, encryptionContext));
  context.recordKeyVersion(role, keyVersionId);
  return { ciphertextBlob: encodeCiphertextBlob(keyVersionId, sealed), keyId: key.keyId, keyVersionId };
}

/**
 * Opens a ciphertext the runner resolved (its key admitted). Every failure of authentication
 * (tampered blob, wrong context, material of another key) becomes the one opaque
 * `InvalidCiphertext`. A dry run vouches only for a blob that really opens, so it opens first.
 */
export async function openCiphertext(
  ciphertext: ResolvedCiphertext,
  encryptionContext: EncryptionContext,
  dryRun = false,
): Promise<Buffer> {
  if (!ciphertext.aead) throw materialUnavailable(ciphertext.key);
  const plaintext = await openOrRefuse(ciphertext.aead, ciphertext.sealed, blobAdditionalData(ciphertext.keyVersionId, encryptionContext));
  if (dryRun) {
    plaintext.fill(0);
    throw new KmsError('DryRun');
  }
  return plaintext;
}

async function openOrRefuse(aead: Aead, sealed: Buffer, additionalData: Buffer): Promise<Buffer> {
  try {
    return await aead.decrypt(sealed, additionalData);
  } catch (error) {
    if (error instanceof AeadAuthenticationError) throw new KmsError('InvalidCiphertext');
    throw error;
  }
}
