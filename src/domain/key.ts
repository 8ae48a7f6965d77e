import type { KeySpec, KeyUsage, Origin, ProtectionLevel } from './key-spec.js';
import type { KeyState } from './key-state.js';

export interface Tag {
  readonly tagKey: string;
  readonly tagValue: string;
}

/**
 * A customer master key as stored. Times are milliseconds since the epoch (UTC).
 * `revision` increases by one on every write; a writer names the revision it read, and the
 * store refuses the write when another writer got there first (optimistic concurrency).
 */
export interface Key {
  readonly keyId: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  readonly origin: Origin;
  readonly protectionLevel: ProtectionLevel;
  readonly keyState: KeyState;
  readonly description: string;
  readonly creator: string;
  readonly creationDate: number;
  /** When a PendingDeletion key is destroyed; null in every other state. */
  readonly deleteDate: number | null;
  readonly deletionProtection: boolean;
  readonly deletionProtectionDescription: string;
  readonly automaticRotation: boolean;
  readonly rotationIntervalSeconds: number | null;
  readonly lastRotationDate: number;
  /** The version Encrypt and the data-key actions use: always the newest. */
  readonly primaryKeyVersionId: string;
  /** When imported material expires (then it is destroyed); null when it never does or there is none. */
  readonly materialExpireTime: number | null;
  readonly tags: readonly Tag[];
  /**
   * The key policy's JSON text as SetKeyPolicy stored it; null while the key has Alibaba's
   * default key policy (for the key's account), which every key starts with.
   */
  readonly keyPolicy: string | null;
  readonly revision: number;
}

/**
 * How a version's material is kept: the strategy the protector that made it understands.
 * `software`: sealed under the root key (ADR 6). `pkcs11-wrapped`: wrapped inside a PKCS#11
 * token by a token-resident wrapping key (ADR 13).
 */
export const ProtectionKind = { Software: 'software', Pkcs11Wrapped: 'pkcs11-wrapped' } as const;
export type ProtectionKind = (typeof ProtectionKind)[keyof typeof ProtectionKind];

/** Key material as it may be stored: sealed or wrapped, never plaintext. */
export interface ProtectedMaterial {
  readonly kind: ProtectionKind;
  readonly sealed: Buffer;
}

export interface KeyVersion {
  readonly keyId: string;
  readonly keyVersionId: string;
  readonly creationDate: number;
  /**
   * The version's material, protected; null while an EXTERNAL key awaits its import, and after
   * imported material was deleted or expired.
   */
  readonly material: ProtectedMaterial | null;
  /**
   * For imported material: a keyed commitment to it (never the material or a plain hash), kept
   * when the material is destroyed so that only the same material can be imported again.
   * Null for material Arca generated and before the first import.
   */
  readonly materialCommitment: Buffer | null;
}

export interface Alias {
  readonly aliasName: string;
  readonly keyId: string;
  readonly creationDate: number;
}

/** Apply `changes` to `key` as the next revision. */
export function reviseKey(key: Key, changes: Partial<Omit<Key, 'keyId' | 'revision'>>): Key {
  return { ...key, ...changes, revision: key.revision + 1 };
}
