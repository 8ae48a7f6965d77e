import { KmsError, type ErrorKind } from './errors.js';

export const KeyState = {
  Enabled: 'Enabled',
  Disabled: 'Disabled',
  PendingDeletion: 'PendingDeletion',
  PendingImport: 'PendingImport',
} as const;
export type KeyState = (typeof KeyState)[keyof typeof KeyState];

/**
 * Groups of actions that the official "Impact of CMK states on API calls" table treats alike.
 * Every operation that takes a key names its group in the resources it declares.
 */
export const StateRule = {
  /** Encrypt, Decrypt, the data-key actions, ReEncrypt. */
  UseKey: 'UseKey',
  /** DescribeKey, ListKeys, DeleteAlias, tags, UpdateKeyDescription: any state. */
  AnyState: 'AnyState',
  /** EnableKey, DisableKey. */
  ChangeEnablement: 'ChangeEnablement',
  ScheduleDeletion: 'ScheduleDeletion',
  CancelDeletion: 'CancelDeletion',
  CreateAlias: 'CreateAlias',
  SetDeletionProtection: 'SetDeletionProtection',
  UpdateRotationPolicy: 'UpdateRotationPolicy',
  /** UpdateAlias: judged on the target key. */
  AliasTarget: 'AliasTarget',
  /** ImportKeyMaterial. (GetParametersForImport and DeleteKeyMaterial are AnyState.) */
  ImportMaterial: 'ImportMaterial',
} as const;
export type StateRule = (typeof StateRule)[keyof typeof StateRule];

const OK = null;
const useKeyRefusal: Record<KeyState, ErrorKind | null> = {
  Enabled: OK,
  Disabled: 'KeyDisabled',
  PendingDeletion: 'KeyPendingDeletion',
  PendingImport: 'KeyPendingImport',
};

/** The state × action table. `null` means the action is allowed in that state. */
export const STATE_TABLE: Record<StateRule, Record<KeyState, ErrorKind | null>> = {
  UseKey: useKeyRefusal,
  AnyState: { Enabled: OK, Disabled: OK, PendingDeletion: OK, PendingImport: OK },
  ChangeEnablement: {
    Enabled: OK,
    Disabled: OK,
    PendingDeletion: 'StateChangeRefused',
    PendingImport: 'StateChangeRefused',
  },
  ScheduleDeletion: { Enabled: OK, Disabled: OK, PendingDeletion: 'StateChangeRefused', PendingImport: OK },
  CancelDeletion: {
    Enabled: 'StateChangeRefused',
    Disabled: 'StateChangeRefused',
    PendingDeletion: OK,
    PendingImport: 'StateChangeRefused',
  },
  CreateAlias: { Enabled: OK, Disabled: OK, PendingDeletion: 'StateChangeRefused', PendingImport: OK },
  SetDeletionProtection: { Enabled: OK, Disabled: OK, PendingDeletion: 'StateChangeRefused', PendingImport: OK },
  UpdateRotationPolicy: { Enabled: OK, Disabled: OK, PendingDeletion: 'StateChangeRefused', PendingImport: OK },
  AliasTarget: { Enabled: OK, Disabled: OK, PendingDeletion: 'KeyPendingDeletion', PendingImport: OK },
  ImportMaterial: { Enabled: OK, Disabled: OK, PendingDeletion: 'StateChangeRefused', PendingImport: OK },
};

/** Throws the table's refusal when `rule` does not allow `state`. */
export function assertStateAllows(rule: StateRule, state: KeyState): void {
  const refusal = STATE_TABLE[rule][state];
  if (refusal !== null) throw new KmsError(refusal);
}
