/**
 * Each API action's RAM authorisation, as data (KMS "Authorization information" / "Use RAM for
 * KMS resource authorization", and the KMS "Condition keys" page for which actions carry which
 * keys). The runner asks once per resource an operation declares; `role` is the resource's role
 * in the operation (`key`, `source`, `destination`, `alias`, `alias-target`, `keys` …).
 *
 * - An action is `kms:<ApiName>` on the resource's Arn, with two exceptions: ReEncrypt is
 *   `kms:ReEncryptFrom` on the source key and `kms:ReEncryptTo` on the destination key (and
 *   `kms:ReEncrypt` on both, the name Alibaba's condition-key examples write), and
 *   DescribeRegions needs no authorisation at all ("DescribeRegions does not require access
 *   control").
 * - Alias writes are asked about the alias and about the key (CreateAlias, UpdateAlias and
 *   DeleteAlias "Alias and key"): the operations declare both, and both must be allowed.
 * - A key named by alias or Arn is asked about as the key it resolves to (the runner resolves
 *   first).
 * - An action name that already names its service (`ram:CreateUser`) is its own RAM action.
 */
export interface RamAuthorization {
  /**
   * The RAM action to ask about, with any other name policies know the same request by;
   * empty when the action needs no authorisation.
   */
  readonly ramActions: readonly string[];
  /** Whether `kms:tag/<TagKey>` carries the key's tags for this action. */
  readonly carriesTags: boolean;
  /** Whether `kms:EncryptionContext:<key>` and `kms:EncryptionAlgorithm` apply to this action. */
  readonly cryptographic: boolean;
}

/** The value of `kms:EncryptionAlgorithm` for Arca's keys: all symmetric (AES and SM4). */
export const SYMMETRIC_ENCRYPTION_ALGORITHM = 'SYMMETRIC_DEFAULT';

/** The actions whose requests carry `kms:EncryptionAlgorithm` and `kms:EncryptionContext:*`. */
const CRYPTOGRAPHIC_ACTIONS: ReadonlySet<string> = new Set([
  'Encrypt',
  'Decrypt',
  'ReEncrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ExportDataKey',
  'GenerateAndExportDataKey',
]);

/** The actions whose requests carry `kms:tag` (the KMS condition key page's list, as far as Arca has them). */
const TAG_ACTIONS: ReadonlySet<string> = new Set([
  ...CRYPTOGRAPHIC_ACTIONS,
  'DescribeKey',
  'UpdateKeyDescription',
  'EnableKey',
  'DisableKey',
  'CancelKeyDeletion',
  'ScheduleKeyDeletion',
  'ImportKeyMaterial',
  'GetParametersForImport',
  'DeleteKeyMaterial',
  'CreateKeyVersion',
  'DescribeKeyVersion',
  'ListKeyVersions',
  'UpdateRotationPolicy',
  'SetDeletionProtection',
]);

/** Actions that need no authorisation: any authenticated caller may run them. */
const UNAUTHORISED_ACTIONS: ReadonlySet<string> = new Set(['DescribeRegions']);

/** The RAM actions per resource role, where they are not `kms:<ApiName>`. */
const ACTIONS_BY_ROLE: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  ReEncrypt: { source: ['kms:ReEncryptFrom', 'kms:ReEncrypt'], destination: ['kms:ReEncryptTo', 'kms:ReEncrypt'] },
};

export function ramAuthorizationOf(action: string, role: string): RamAuthorization {
  if (action.includes(':')) return { ramActions: [action], carriesTags: false, cryptographic: false };
  const ramActions = UNAUTHORISED_ACTIONS.has(action) ? [] : (ACTIONS_BY_ROLE[action]?.[role] ?? [`kms:${action}`]);
  return { ramActions, carriesTags: TAG_ACTIONS.has(action), cryptographic: CRYPTOGRAPHIC_ACTIONS.has(action) };
}
