import { ProtectionKind, type Alias, type Key, type KeyVersion, type Tag } from '../../domain/key.js';
import { KeySpec, KeyUsage, Origin, ProtectionLevel } from '../../domain/key-spec.js';
import { KeyState } from '../../domain/key-state.js';
import type { AccessKeyRecord } from '../../domain/ports.js';

// Rows as SQLite stores them, and the mapping to and from the domain records. Reading checks
// every enumerated column and the tags: a row this code cannot understand (edited by hand, or
// written by a newer Arca without a migration) fails loudly rather than becoming a wrong Key.

/** SQLite has no boolean type; the schema keeps 0 or 1. */
type SqliteBoolean = 0 | 1;

export interface KeyRow {
  key_id: string;
  key_spec: string;
  key_usage: string;
  origin: string;
  protection_level: string;
  key_state: string;
  description: string;
  creator: string;
  creation_date: number;
  delete_date: number | null;
  deletion_protection: SqliteBoolean;
  deletion_protection_description: string;
  automatic_rotation: SqliteBoolean;
  rotation_interval_seconds: number | null;
  last_rotation_date: number;
  primary_key_version_id: string;
  material_expire_time: number | null;
  /** JSON array of `{ tagKey, tagValue }`. */
  tags: string;
  /** Null: the default key policy. */
  key_policy: string | null;
  revision: number;
}

export interface KeyVersionRow {
  key_version_id: string;
  key_id: string;
  creation_date: number;
  protection_kind: string;
  sealed_material: Buffer | null;
  material_commitment: Buffer | null;
}

export interface AliasRow {
  alias_name: string;
  key_id: string;
  creation_date: number;
}

export interface AccessKeyRow {
  access_key_id: string;
  sealed_secret: Buffer;
  principal: string;
  enabled: SqliteBoolean;
  creation_date: number;
}

export interface CountRow {
  total_count: number;
}

export interface MetadataRow {
  value: Buffer;
}

/** A stored row that does not describe a valid record. */
export class CorruptRowError extends Error {
  constructor(table: string, id: string, detail: string) {
    super(`${table} row ${id}: ${detail}`);
    this.name = 'CorruptRowError';
  }
}

function isOneOf<T extends string>(allowed: Readonly<Record<string, T>>, value: string): value is T {
  return Object.values<string>(allowed).includes(value);
}

function toSqliteBoolean(value: boolean): SqliteBoolean {
  return value ? 1 : 0;
}

function isTag(value: unknown): value is Tag {
  if (typeof value !== 'object' || value === null) return false;
  const candidate: { tagKey?: unknown; tagValue?: unknown } = value;
  return typeof candidate.tagKey === 'string' && typeof candidate.tagValue === 'string';
}

function parseTags(row: KeyRow): Tag[] {
  const parsed: unknown = JSON.parse(row.tags);
  if (!Array.isArray(parsed) || !parsed.every(isTag)) throw new CorruptRowError('keys', row.key_id, 'tags are not a list of tags');
  // Rebuilt field by field so that no stray JSON property rides along into the domain.
  return parsed.map(({ tagKey, tagValue }) => ({ tagKey, tagValue }));
}

function serialiseTags(tags: readonly Tag[]): string {
  return JSON.stringify(tags.map(({ tagKey, tagValue }) => ({ tagKey, tagValue })));
}

export function keyToRow(key: Key): KeyRow {
  return {
    key_id: key.keyId,
    key_spec: key.keySpec,
    key_usage: key.keyUsage,
    origin: key.origin,
    protection_level: key.protectionLevel,
    key_state: key.keyState,
    description: key.description,
    creator: key.creator,
    creation_date: key.creationDate,
    delete_date: key.deleteDate,
    deletion_protection: toSqliteBoolean(key.deletionProtection),
    deletion_protection_description: key.deletionProtectionDescription,
    automatic_rotation: toSqliteBoolean(key.automaticRotation),
    rotation_interval_seconds: key.rotationIntervalSeconds,
    last_rotation_date: key.lastRotationDate,
    primary_key_version_id: key.primaryKeyVersionId,
    material_expire_time: key.materialExpireTime,
    tags: serialiseTags(key.tags),
    key_policy: key.keyPolicy,
    revision: key.revision,
  };
}

export function rowToKey(row: KeyRow): Key {
  const corrupt = (column: string): CorruptRowError => new CorruptRowError('keys', row.key_id, `unknown ${column}`);
  if (!isOneOf(KeySpec, row.key_spec)) throw corrupt('key_spec');
  if (!isOneOf(KeyUsage, row.key_usage)) throw corrupt('key_usage');
  if (!isOneOf(Origin, row.origin)) throw corrupt('origin');
  if (!isOneOf(ProtectionLevel, row.protection_level)) throw corrupt('protection_level');
  if (!isOneOf(KeyState, row.key_state)) throw corrupt('key_state');
  return {
    keyId: row.key_id,
    keySpec: row.key_spec,
    keyUsage: row.key_usage,
    origin: row.origin,
    protectionLevel: row.protection_level,
    keyState: row.key_state,
    description: row.description,
    creator: row.creator,
    creationDate: row.creation_date,
    deleteDate: row.delete_date,
    deletionProtection: row.deletion_protection === 1,
    deletionProtectionDescription: row.deletion_protection_description,
    automaticRotation: row.automatic_rotation === 1,
    rotationIntervalSeconds: row.rotation_interval_seconds,
    lastRotationDate: row.last_rotation_date,
    primaryKeyVersionId: row.primary_key_version_id,
    materialExpireTime: row.material_expire_time,
    tags: parseTags(row),
    keyPolicy: row.key_policy,
    revision: row.revision,
  };
}

export function keyVersionToRow(version: KeyVersion): KeyVersionRow {
  return {
    key_version_id: version.keyVersionId,
    key_id: version.keyId,
    creation_date: version.creationDate,
    // A version without material keeps the kind its material will have once imported.
    protection_kind: version.material?.kind ?? ProtectionKind.Software,
    sealed_material: version.material?.sealed ?? null,
    material_commitment: version.materialCommitment,
  };
}

export function rowToKeyVersion(row: KeyVersionRow): KeyVersion {
  if (!isOneOf(ProtectionKind, row.protection_kind)) {
    throw new CorruptRowError('key_versions', row.key_version_id, 'unknown protection_kind');
  }
  return {
    keyId: row.key_id,
    keyVersionId: row.key_version_id,
    creationDate: row.creation_date,
    material: row.sealed_material === null ? null : { kind: row.protection_kind, sealed: row.sealed_material },
    materialCommitment: row.material_commitment,
  };
}

export function aliasToRow(alias: Alias): AliasRow {
  return { alias_name: alias.aliasName, key_id: alias.keyId, creation_date: alias.creationDate };
}

export function rowToAlias(row: AliasRow): Alias {
  return { aliasName: row.alias_name, keyId: row.key_id, creationDate: row.creation_date };
}

export function accessKeyToRow(record: AccessKeyRecord): AccessKeyRow {
  return {
    access_key_id: record.accessKeyId,
    sealed_secret: record.sealedSecret,
    principal: record.principal,
    enabled: toSqliteBoolean(record.enabled),
    creation_date: record.creationDate,
  };
}

export function rowToAccessKey(row: AccessKeyRow): AccessKeyRecord {
  return {
    accessKeyId: row.access_key_id,
    sealedSecret: row.sealed_secret,
    principal: row.principal,
    enabled: row.enabled === 1,
    creationDate: row.creation_date,
  };
}
