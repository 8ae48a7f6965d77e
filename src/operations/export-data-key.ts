import type { EncryptionContext } from '../domain/encryption-context.js';
import { KmsError } from '../domain/errors.js';
import { exportSchemeOf } from '../domain/wrapping.js';
import { openBlob } from './ciphertext.js';
import { exportRecipient, type ExportRecipient } from './key-wrapping.js';
import { defineOperation } from './operation.js';

/** The public key and scheme an exported data key is wrapped for, as the wire names them. */
export interface ExportTarget {
  /** base64 DER SubjectPublicKeyInfo. */
  readonly publicKeyBlob: string;
  readonly wrappingKeySpec: string;
  readonly wrappingAlgorithm: string;
}

export interface ExportDataKeyInput extends ExportTarget {
  readonly ciphertextBlob: string;
  readonly encryptionContext: EncryptionContext;
  readonly dryRun: boolean;
}

export interface ExportedDataKey {
  readonly keyId: string;
  readonly keyVersionId: string;
  /** base64 of the data key wrapped for the caller's public key. */
  readonly exportedDataKey: string;
}

/** The caller's public key, parsed and checked against the scheme before any key is used. */
export function exportRecipientOf(target: ExportTarget): ExportRecipient {
  const scheme = exportSchemeOf(target.wrappingKeySpec, target.wrappingAlgorithm);
  const spki = Buffer.from(target.publicKeyBlob, 'base64');
  if (spki.length === 0 || spki.toString('base64') !== target.publicKeyBlob) throw new KmsError('InvalidParameter', 'PublicKeyBlob');
  return exportRecipient(scheme, spki);
}

/**
 * A data-key blob's key, wrapped for a public key the caller gives. The blob seals the base64
 * text of the data key (as GenerateDataKey makes it); what is exported is the data key's bytes.
 */
export const exportDataKey = defineOperation('ExportDataKey', async (context, input: ExportDataKeyInput): Promise<ExportedDataKey> => {
  const recipient = exportRecipientOf(input);
  const opened = await openBlob(context, input.ciphertextBlob, input.encryptionContext, 'ExportDataKey', input.dryRun);
  const text = opened.plaintext.toString('latin1');
  const dataKey = Buffer.from(text, 'base64');
  opened.plaintext.fill(0);
  try {
    // A blob that does not hold a base64 data key (Encrypt of other text) has nothing to export.
    if (dataKey.length === 0 || dataKey.toString('base64') !== text) throw new KmsError('InvalidParameter', 'CiphertextBlob');
    return { keyId: opened.key.keyId, keyVersionId: opened.keyVersionId, exportedDataKey: recipient.wrap(dataKey).toString('base64') };
  } finally {
    dataKey.fill(0);
  }
});
