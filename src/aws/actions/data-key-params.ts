import { KmsError } from '../../domain/errors.js';
import type { DataKeyInput } from '../../operations/data-key.js';
import type { AwsParams } from '../aws-params.js';

/** AWS's data key specs and their lengths. */
const AWS_DATA_KEY_SPECS: Readonly<Record<string, number>> = { AES_128: 16, AES_256: 32 };

/**
 * GenerateDataKey's and GenerateDataKeyWithoutPlaintext's input: exactly one of NumberOfBytes
 * (1–1024, checked by the operation) and KeySpec, as AWS requires. The blob seals the data key's
 * bytes, so Decrypt through the AWS API returns them (ADR 35).
 */
export function awsDataKeyInput(params: AwsParams): DataKeyInput {
  const key = params.keyReference('KeyId', 'key-or-alias');
  const numberOfBytes = params.optionalInteger('NumberOfBytes');
  const keySpec = params.optionalString('KeySpec');
  if ((numberOfBytes === undefined) === (keySpec === undefined)) throw new KmsError('InvalidInput', 'numberOfBytes');
  const lengthInBytes = numberOfBytes ?? AWS_DATA_KEY_SPECS[keySpec ?? ''];
  if (lengthInBytes === undefined) throw new KmsError('InvalidInput', 'keySpec');
  params.refuse('Recipient');
  const encryptionContext = params.encryptionContext('EncryptionContext');
  return { key, lengthInBytes, sealing: 'bytes', encryptionContext, dryRun: params.optionalBoolean('DryRun') ?? false };
}
