import { randomBytes, randomUUID } from 'node:crypto';
import { ProtectionKind, type Alias, type Key, type KeyVersion } from '../../src/domain/key.js';
import { KeySpec, KeyUsage, Origin, ProtectionLevel } from '../../src/domain/key-spec.js';
import { KeyState } from '../../src/domain/key-state.js';
import type { AccessKeyRecord } from '../../src/domain/ports.js';

/** A fixed instant, so tests can place records before and after each other. */
export const T0 = Date.UTC(2024, 0, 15, 8, 30, 0);

/** A key with a value in every field; `primaryKeyVersionId` names no version until one is made. */
export function makeKey(overrides: Partial<Key> = {}): Key {
  return {
    keyId: randomUUID(),
    keySpec: KeySpec.Aes256,
    keyUsage: KeyUsage.EncryptDecrypt,
    origin: Origin.AliyunKms,
    protectionLevel: ProtectionLevel.Software,
    keyState: KeyState.Enabled,
    description: 'fixture key',
    creator: 'test-principal',
    creationDate: T0,
    deleteDate: null,
    deletionProtection: false,
    deletionProtectionDescription: '',
    automaticRotation: false,
    rotationIntervalSeconds: null,
    lastRotationDate: T0,
    primaryKeyVersionId: randomUUID(),
    materialExpireTime: null,
    keyPolicy: null,
    tags: [],
    revision: 1,
    ...overrides,
  };
}

export function makeVersion(keyId: string, overrides: Partial<KeyVersion> = {}): KeyVersion {
  return {
    keyId,
    keyVersionId: randomUUID(),
    creationDate: T0,
    material: { kind: ProtectionKind.Software, sealed: randomBytes(60) },
    materialCommitment: null,
    ...overrides,
  };
}

/** The sealed bytes of a fixture version, which always has material. */
export function sealedOf(version: KeyVersion | undefined): Buffer {
  if (!version?.material) throw new Error('the fixture version has no material');
  return version.material.sealed;
}

/** A key and the first version it names primary, ready for `createKey`. */
export function makeKeyWithVersion(overrides: Partial<Key> = {}): { key: Key; version: KeyVersion } {
  const key = makeKey(overrides);
  const version = makeVersion(key.keyId, { keyVersionId: key.primaryKeyVersionId, creationDate: key.creationDate });
  return { key, version };
}

/** What a rotation stores: a new version, and the key's next revision naming it primary. */
export function rotated(key: Key, creationDate: number): { key: Key; version: KeyVersion } {
  const version = makeVersion(key.keyId, { creationDate });
  return {
    key: { ...key, primaryKeyVersionId: version.keyVersionId, lastRotationDate: creationDate, revision: key.revision + 1 },
    version,
  };
}

export function makeAlias(keyId: string, overrides: Partial<Alias> = {}): Alias {
  return { aliasName: `alias/${randomUUID()}`, keyId, creationDate: T0, ...overrides };
}

export function makeAccessKey(overrides: Partial<AccessKeyRecord> = {}): AccessKeyRecord {
  return {
    accessKeyId: `LTAI${randomUUID().replaceAll('-', '').slice(0, 20)}`,
    sealedSecret: randomBytes(48),
    principal: 'administrator',
    enabled: true,
    creationDate: T0,
    ...overrides,
  };
}
