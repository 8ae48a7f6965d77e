import { AeadAuthenticationError, type Aead } from '../crypto/aead.js';
import { decodeCiphertextBlob, encodeCiphertextBlob } from '../domain/ciphertext-blob.js';
import { blobAdditionalData, type EncryptionContext } from '../domain/encryption-context.js';
import { KmsError } from '../domain/errors.js';
import type { Key } from '../domain/key.js';
import { StateRule } from '../domain/key-state.js';
import { admitKey } from './key-access.js';
import { materialUnavailable } from './key-ring.js';
import type { OperationContext } from './operation.js';

export interface SealedResult {
  readonly ciphertextBlob: string;
  readonly keyId: string;
  readonly keyVersionId: string;
}

/** Seals `plaintext` under the key's primary (newest) version: the only version new data uses. */
export async function sealWithPrimary(
  context: OperationContext,
  key: Key,
  plaintext: Buffer,
  encryptionContext: EncryptionContext,
): Promise<SealedResult> {
  const keyVersionId = key.primaryKeyVersionId;
  const aead = await context.keys.aeadFor(key, keyVersionId);
  const sealed = await aead.encrypt(plaintext, blobAdditionalData(keyVersionId, encryptionContext));
  context.audit.keyVersionId = keyVersionId;
  return { ciphertextBlob: encodeCiphertextBlob(keyVersionId, sealed), keyId: key.keyId, keyVersionId };
}

export interface OpenedBlob {
  readonly key: Key;
  readonly keyVersionId: string;
  readonly plaintext: Buffer;
}

/**
 * Finds the key version a blob names, checks the key may be used, and opens the blob.
 * Every failure of authentication (tampered blob, wrong context, material of another key)
 * becomes the one opaque `InvalidCiphertext`.
 */
export async function openBlob(
  context: OperationContext,
  ciphertextBlob: string,
  encryptionContext: EncryptionContext,
  action: string,
  dryRun = false,
): Promise<OpenedBlob> {
  const { keyVersionId, sealed } = decodeCiphertextBlob(ciphertextBlob);
  const { key, aead } = await context.keys.openVersion(keyVersionId);
  admitKey(context, key, action, StateRule.UseKey);
  if (!aead) throw materialUnavailable(key);
  context.audit.keyVersionId = keyVersionId;
  const plaintext = await openOrRefuse(aead, sealed, blobAdditionalData(keyVersionId, encryptionContext));
  // A dry run vouches only for a blob that really opens, so it authenticates first.
  if (dryRun) {
    plaintext.fill(0);
    throw new KmsError('DryRunOperation');
  }
  return { key, keyVersionId, plaintext };
}

async function openOrRefuse(aead: Aead, sealed: Buffer, additionalData: Buffer): Promise<Buffer> {
  try {
    return await aead.decrypt(sealed, additionalData);
  } catch (error) {
    if (error instanceof AeadAuthenticationError) throw new KmsError('InvalidCiphertext');
    throw error;
  }
}
