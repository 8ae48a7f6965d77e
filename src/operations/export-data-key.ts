import { BlobKind, type EncryptionContext } from '../domain/encryption-context.js';
import { KmsError } from '../domain/errors.js';
import { StateRule } from '../domain/key-state.js';
import { exportSchemeOf } from '../domain/wrapping.js';
import { openCiphertext } from './ciphertext.js';
import { exportRecipient, type ExportRecipient } from './key-wrapping.js';
import { defineOperation, resource } from './operation.js';

/** The public key and scheme an exported data key is wrapped for. */
export interface ExportTarget {
  /** DER SubjectPublicKeyInfo. */
  readonly publicKey: Buffer;
  readonly wrappingKeySpec: string;
  readonly wrappingAlgorithm: string;
}

export interface ExportDataKeyInput extends ExportTarget {
  readonly ciphertextBlob: Buffer;
  readonly encryptionContext: EncryptionContext;
  readonly dryRun: boolean;
}

export interface ExportedDataKey {
  readonly keyId: string;
  readonly keyVersionId: string;
  /** The data key wrapped for the caller's public key. */
  readonly exportedDataKey: Buffer;
}

/** The caller's public key, parsed and checked against the scheme before any key is used. */
export function exportRecipientOf(target: ExportTarget): ExportRecipient {
  const scheme = exportSchemeOf(target.wrappingKeySpec, target.wrappingAlgorithm);
  if (target.publicKey.length === 0) throw new KmsError('InvalidInput', 'publicKeyBlob');
  return exportRecipient(scheme, target.publicKey);
}

/**
 * A data-key blob's key, wrapped for a public key the caller gives. The blob seals the base64
 * text of the data key (as GenerateDataKey makes it, ADR 4); what is exported is the data key's bytes.
 *
 * Only a blob sealed as a data key opens here (ADR 26): an Encrypt blob does not, so exporting is
 * never a way round kms:Decrypt. A blob sealed before data keys had their own kind is ordinary;
 * it opens here only for a caller who may also Decrypt it (the administrator always may).
 */
export const exportDataKey = defineOperation({
  action: 'ExportDataKey',
  validate: (input: ExportDataKeyInput) => void exportRecipientOf(input),
  resources: (input) => ({ key: resource.ciphertext(input.ciphertextBlob, StateRule.UseKey, input.encryptionContext, 'Decrypt') }),
  run: async (_context, input, { key: ciphertext }): Promise<ExportedDataKey> => {
    const recipient = exportRecipientOf(input);
    const kinds = ciphertext.alsoAllowed ? [BlobKind.DataKey, BlobKind.Ordinary] : [BlobKind.DataKey];
    const { plaintext: opened } = await openCiphertext(ciphertext, input.encryptionContext, input.dryRun, kinds);
    const text = opened.toString('latin1');
    const dataKey = Buffer.from(text, 'base64');
    opened.fill(0);
    try {
      // A blob that does not hold a base64 data key (Encrypt of other text) has nothing to export.
      if (dataKey.length === 0 || dataKey.toString('base64') !== text) throw new KmsError('InvalidInput', 'ciphertextBlob');
      return { keyId: ciphertext.key.keyId, keyVersionId: ciphertext.keyVersionId, exportedDataKey: recipient.wrap(dataKey) };
    } finally {
      dataKey.fill(0);
    }
  },
});
