import { AeadAuthenticationError, type Aead } from '../crypto/aead.js';
import { encodeCiphertextBlob } from '../domain/ciphertext-blob.js';
import { BlobKind, blobAdditionalData, type EncryptionContext } from '../domain/encryption-context.js';
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
  kind: BlobKind = BlobKind.Ordinary,
): Promise<SealedResult> {
  const keyVersionId = key.primaryKeyVersionId;
  const aead = await context.keys.aeadFor(key, keyVersionId);
  const sealed = await aead.encrypt(plaintext, blobAdditionalData(keyVersionId, encryptionContext, kind));
  context.recordKeyVersion(role, keyVersionId);
  return { ciphertextBlob: encodeCiphertextBlob(keyVersionId, sealed), keyId: key.keyId, keyVersionId };
}

/** A blob's plaintext and the kind it was sealed as. */
export interface OpenedCiphertext {
  readonly plaintext: Buffer;
  readonly kind: BlobKind;
}

/** Decrypt and ReEncrypt open both kinds (ADR 26): what Encrypt sealed and what the data-key actions did. */
export const ANY_BLOB_KIND: readonly BlobKind[] = [BlobKind.Ordinary, BlobKind.DataKey];

/**
 * Opens a ciphertext the runner resolved (its key admitted) as the first of `kinds` it
 * authenticates as. Every failure of authentication (tampered blob, wrong context, material of
 * another key, a kind not asked for) becomes the one opaque `InvalidCiphertext`. A dry run
 * vouches only for a blob that really opens, so it opens first.
 */
export async function openCiphertext(
  ciphertext: ResolvedCiphertext,
  encryptionContext: EncryptionContext,
  dryRun = false,
  kinds: readonly BlobKind[] = ANY_BLOB_KIND,
): Promise<OpenedCiphertext> {
  const { aead } = ciphertext;
  if (!aead) throw materialUnavailable(ciphertext.key);
  for (const kind of kinds) {
    const plaintext = await openOrUndefined(aead, ciphertext.sealed, blobAdditionalData(ciphertext.keyVersionId, encryptionContext, kind));
    if (plaintext === undefined) continue;
    if (dryRun) {
      plaintext.fill(0);
      throw new KmsError('DryRun');
    }
    return { plaintext, kind };
  }
  throw new KmsError('InvalidCiphertext');
}

async function openOrUndefined(aead: Aead, sealed: Buffer, additionalData: Buffer): Promise<Buffer | undefined> {
  try {
    return await aead.decrypt(sealed, additionalData);
  } catch (error) {
    if (error instanceof AeadAuthenticationError) return undefined;
    throw error;
  }
}
