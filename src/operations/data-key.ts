import { randomBytes } from 'node:crypto';
import type { EncryptionContext } from '../domain/encryption-context.js';
import { KmsError } from '../domain/errors.js';
import { StateRule } from '../domain/key-state.js';
import { sealWithPrimary, type SealedResult } from './ciphertext.js';
import { useKey } from './key-access.js';
import type { OperationContext } from './operation.js';

export const MIN_DATA_KEY_BYTES = 1;
export const MAX_DATA_KEY_BYTES = 1024;
const DATA_KEY_SPEC_BYTES: Readonly<Record<string, number>> = { AES_256: 32, AES_128: 16 };
const DEFAULT_DATA_KEY_BYTES = 32;

export interface DataKeyInput {
  readonly keyId: string;
  readonly keySpec?: string;
  readonly numberOfBytes?: number;
  readonly encryptionContext: EncryptionContext;
  readonly dryRun: boolean;
}

export interface GeneratedDataKey extends SealedResult {
  /** The base64 text of the data key; the blob seals exactly this text. */
  readonly plaintext: string;
}

/**
 * NumberOfBytes wins over KeySpec, as Alibaba documents; the Encryption SDK relies on it by
 * sending KeySpec=SM4_128 with NumberOfBytes=16, so an unknown KeySpec is only refused when
 * NumberOfBytes is absent.
 */
export function dataKeyLength(input: Pick<DataKeyInput, 'keySpec' | 'numberOfBytes'>): number {
  if (input.numberOfBytes !== undefined) {
    const n = input.numberOfBytes;
    if (!Number.isInteger(n) || n < MIN_DATA_KEY_BYTES || n > MAX_DATA_KEY_BYTES) {
      throw new KmsError('InvalidParameter', 'NumberOfBytes');
    }
    return n;
  }
  if (input.keySpec === undefined) return DEFAULT_DATA_KEY_BYTES;
  const length = DATA_KEY_SPEC_BYTES[input.keySpec];
  if (length === undefined) throw new KmsError('InvalidParameter', 'KeySpec');
  return length;
}

export async function generateDataKeyUnder(
  context: OperationContext,
  action: string,
  input: DataKeyInput,
): Promise<GeneratedDataKey> {
  const length = dataKeyLength(input);
  const key = await useKey(context, input.keyId, action, StateRule.UseKey);
  if (input.dryRun) throw new KmsError('DryRunOperation');
  const dataKey = randomBytes(length);
  const plaintext = dataKey.toString('base64');
  dataKey.fill(0);
  const sealed = await sealWithPrimary(context, key, Buffer.from(plaintext, 'ascii'), input.encryptionContext);
  return { ...sealed, plaintext };
}
