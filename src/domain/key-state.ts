import { KmsError, type ErrorKind } from './errors.js';

export const KeyState = {
  Enabled: 'Enabled',
  Disabled: 'Disabled',
  PendingDeletion: 'PendingDeletion',
  PendingImport: 'PendingImport',
} as const;
export type KeyState = (typeof KeyState)[keyof typeof KeyState];

/**
 * The rows of the state × action table: Alibaba's "Impact of CMK status on API operations"
 * (docs/state-table.md has the table, with where each row comes from). An action the page lists
 * on a row of its own has a rule of its own, even where two rows read alike today; a rule shared
 * by several actions is one the page (or, for actions it does not list, Arca) treats alike.
 * Every operation that takes a key names its rule in the resources it declares, and again in the
 * write that judges the stored record.
 */
export const StateRule = {
  /**
   * Encrypt, Decrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext (four rows alike); and
   * ReEncrypt, ExportDataKey, GenerateAndExportDataKey, CreateKeyVersion, which use the key too.
   */
  UseKey: 'UseKey',
  /**
   * DescribeKey, GetParametersForImport, DeleteKeyMaterial; and the reads the page does not list
   * (ListAliasesByKeyId, ListResourceTags, DescribeKeyVersion, ListKeyVersions).
   */
  AnyState: 'AnyState',
  /** EnableKey, DisableKey (two rows alike). */
  ChangeEnablement: 'ChangeEnablement',
  ScheduleDeletion: 'ScheduleDeletion',
  CancelDeletion: 'CancelDeletion',
  CreateAlias: 'CreateAlias',
  /** UpdateAlias: judged on the target key only. */
  AliasTarget: 'AliasTarget',
  /** ImportKeyMaterial (judged after the origin, in the operation). */
  ImportMaterial: 'ImportMaterial',
  UpdateKeyDescription: 'UpdateKeyDescription',
  TagResource: 'TagResource',
  UntagResource: 'UntagResource',
  UpdateRotationPolicy: 'UpdateRotationPolicy',
  /** On neither revision of the page: Arca refuses only a key pending deletion, as CreateAlias does. */
  SetDeletionProtection: 'SetDeletionProtection',
} as const;
export type StateRule = (typeof StateRule)[keyof typeof StateRule];

const OK = null;
const onlyWhenEnabled: Record<KeyState, ErrorKind | null> = {
  Enabled: OK,
  Disabled: 'KeyDisabled',
  PendingDeletion: 'KeyPendingDeletion',
  PendingImport: 'KeyPendingImport',
};
const anyState: Record<KeyState, ErrorKind | null> = { Enabled: OK, Disabled: OK, PendingDeletion: OK, PendingImport: OK };
const refusedWhilePendingDeletion: Record<KeyState, ErrorKind | null> = {
  Enabled: OK,
  Disabled: OK,
  PendingDeletion: 'KeyPendingDeletion',
  PendingImport: OK,
};
const noStateChangeWhilePendingDeletion: Record<KeyState, ErrorKind | null> = {
  Enabled: OK,
  Disabled: OK,
  PendingDeletion: 'StateChangeRefused',
  PendingImport: OK,
};

/** The state × action table. `null` means the action is allowed in that state. */
export const STATE_TABLE: Record<StateRule, Record<KeyState, ErrorKind | null>> = {
  UseKey: onlyWhenEnabled,
  AnyState: anyState,
  ChangeEnablement: {
    Enabled: OK,
    Disabled: OK,
    PendingDeletion: 'StateChangeRefused',
    PendingImport: 'StateChangeRefused',
  },
  ScheduleDeletion: noStateChangeWhilePendingDeletion,
  CancelDeletion: {
    Enabled: 'StateChangeRefused',
    Disabled: 'StateChangeRefused',
    PendingDeletion: OK,
    PendingImport: 'StateChangeRefused',
  },
  CreateAlias: noStateChangeWhilePendingDeletion,
  AliasTarget: refusedWhilePendingDeletion,
  ImportMaterial: noStateChangeWhilePendingDeletion,
  UpdateKeyDescription: refusedWhilePendingDeletion,
  TagResource: refusedWhilePendingDeletion,
  UntagResource: refusedWhilePendingDeletion,
  UpdateRotationPolicy: onlyWhenEnabled,
  SetDeletionProtection: noStateChangeWhilePendingDeletion,
};

/** Throws the table's refusal when `rule` does not allow `state`. */
export function assertStateAllows(rule: StateRule, state: KeyState): void {
  const refusal = STATE_TABLE[rule][state];
  if (refusal !== null) throw new KmsError(refusal);
}
