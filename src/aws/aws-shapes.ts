import type { Key } from '../domain/key.js';
import { KeyState } from '../domain/key-state.js';
import { Origin } from '../domain/key-spec.js';
import { awsKeyArn, type AwsScope } from './aws-arn.js';
import { AWS_KEY_USAGE, awsKeySpec, awsOrigin, SYMMETRIC_DEFAULT } from './aws-values.js';

export type AwsBody = Record<string, unknown>;

/** AWS timestamps are JSON numbers of seconds since the epoch (the SDK refuses ISO strings). */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

export function base64(bytes: Buffer): string {
  return bytes.toString('base64');
}

/**
 * KeyMetadata as CreateKey and DescribeKey return it: AWS's fields for a symmetric customer
 * managed key, with `KeyId` the bare id and `Arn` the key's AWS Arn, as AWS does.
 */
export function awsKeyMetadata(key: Key, scope: AwsScope): AwsBody {
  const external = key.origin === Origin.External;
  const hasMaterial = key.keyState !== KeyState.PendingImport;
  return {
    AWSAccountId: scope.accountId,
    KeyId: key.keyId,
    Arn: awsKeyArn(scope, key.keyId),
    CreationDate: epochSeconds(key.creationDate),
    Enabled: key.keyState === KeyState.Enabled,
    Description: key.description,
    KeyUsage: AWS_KEY_USAGE,
    KeyState: key.keyState,
    ...(key.deleteDate === null ? {} : { DeletionDate: epochSeconds(key.deleteDate) }),
    Origin: awsOrigin(key.origin),
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: awsKeySpec(key.keySpec),
    KeySpec: awsKeySpec(key.keySpec),
    EncryptionAlgorithms: [SYMMETRIC_DEFAULT],
    MultiRegion: false,
    ...(hasMaterial ? { CurrentKeyMaterialId: key.primaryKeyVersionId } : {}),
    ...(external && hasMaterial
      ? key.materialExpireTime === null
        ? { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }
        : { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: epochSeconds(key.materialExpireTime) }
      : {}),
  };
}
