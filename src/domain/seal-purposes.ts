/**
 * Every purpose under which Arca seals a value with its root key, or takes a keyed digest, in one
 * place. A purpose is part of the sealed value's additional data (or the digest's input), so a
 * value sealed for one use never opens for another, and each purpose string is used once.
 */
export const SealPurpose = {
  /** A SOFTWARE key version's material; bound to the key version id. */
  KeyMaterial: 'key-material',
  /** An access key's secret; bound to the access key id. */
  AccessKeySecret: 'access-key-secret',
  /** The empty value a data directory keeps to recognise its root key. */
  RootKeyCheck: 'root-key-check',
  /**
   * The keyed-digest key of a root key that cannot give one itself (a token key): random, kept in
   * the metadata store sealed under the root key.
   */
  DigestKey: 'digest-key',
  /**
   * The empty value a server started with two root keys (a rotation) seals under the new one, so
   * that `arca root-key rotate` knows a server can open what it re-seals.
   */
  RotationTarget: 'root-key-rotation-target',
  /** The private half of a bring-your-own-key wrapping key pair, inside its ImportToken; bound to the key id. */
  ImportWrappingKey: 'import-wrapping-key',
  /** An ImportToken naming a wrapping key pair inside a device; bound to the key id. */
  ImportWrappingKeyInDevice: 'import-wrapping-key-in-device',
} as const;

/** What a keyed digest is for; part of its input, so digests cannot be swapped between uses. */
export const DigestPurpose = {
  /** The commitment to a key's imported material; bound to the key id. */
  MaterialCommitment: 'material-commitment',
  /** The device's CMAC that commits to material imported into it; bound to the key id. */
  DeviceMaterialCommitment: 'device-material-commitment',
  /** An encryption context as the audit trail keeps it (its canonical form); bound to nothing, so equal contexts correlate. */
  AuditEncryptionContext: 'audit-encryption-context',
  /** A ciphertext blob as the audit trail keeps it; bound to nothing, so equal blobs correlate. */
  AuditCiphertextBlob: 'audit-ciphertext-blob',
} as const;
