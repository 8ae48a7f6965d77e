import { randomBytes } from 'node:crypto';
import { BlobKind, type EncryptionContext } from '../domain/encryption-context.js';
import { KmsError } from '../domain/errors.js';
import type { Key } from '../domain/key.js';
import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import { sealWithPrimary, type SealedResult } from './ciphertext.js';
import { resource, type OperationContext } from './operation.js';

export const MIN_DATA_KEY_BYTES = 1;
export const MAX_DATA_KEY_BYTES = 1024;

/**
 * What a data key's blob seals. `base64-text`: the base64 text of the key (ADR 4, what the
 * Alibaba API has always done, so Decrypt of the blob gives back the text the caller received).
 * `bytes`: the key's bytes themselves (for a protocol whose Decrypt returns bytes).
 */
export type DataKeySealing = 'base64-text' | 'bytes';

export interface DataKeyInput {
  readonly key: KeyReference;
  readonly lengthInBytes: number;
  readonly sealing: DataKeySealing;
  readonly encryptionContext: EncryptionContext;
  readonly dryRun: boolean;
}

export interface GeneratedDataKey extends SealedResult {
  /** The data key's bytes; the caller owns them (and should zero them when done). */
  readonly dataKey: Buffer;
}

export function assertDataKeyLength(lengthInBytes: number): void {
  if (!Number.isInteger(lengthInBytes) || lengthInBytes < MIN_DATA_KEY_BYTES || lengthInBytes > MAX_DATA_KEY_BYTES) {
    throw new KmsError('InvalidInput', 'numberOfBytes');
  }
}

export const dataKeyResources = (input: Pick<DataKeyInput, 'key' | 'encryptionContext'>) => ({
  key: resource.key(input.key, StateRule.UseKey, input.encryptionContext),
});

/** A fresh data key sealed under the primary version of `key` (resolved and admitted by the runner). */
export async function generateDataKeyUnder(context: OperationContext, key: Key, input: DataKeyInput): Promise<GeneratedDataKey> {
  if (input.dryRun) throw new KmsError('DryRun');
  const dataKey = randomBytes(input.lengthInBytes);
  const sealed = input.sealing === 'bytes' ? dataKey : Buffer.from(dataKey.toString('base64'), 'ascii');
  try {
    return { ...(await sealWithPrimary(context, 'key', key, sealed, input.encryptionContext, BlobKind.DataKey)), dataKey };
  } finally {
    if (sealed !== dataKey) sealed.fill(0);
  }
}
