import type { Aead } from '../crypto/aead.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import type {
  AttachmentTarget,
  CustomPolicy,
  GroupMembership,
  PolicyAttachment,
  PolicyRef,
  PolicyVersion,
  RamGroup,
  RamUser,
  StoredUserPolicy,
} from './identity.js';
import type { Alias, Key, KeyVersion, ProtectedMaterial } from './key.js';
import type { KeySpec, KeyUsage, ProtectionLevel } from './key-spec.js';
import type { KeyState } from './key-state.js';

/** Milliseconds since the epoch. One injectable clock serves the whole server. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface Page {
  /** 1-based. */
  readonly pageNumber: number;
  readonly pageSize: number;
}

export interface PageOf<T> {
  readonly items: readonly T[];
  readonly totalCount: number;
}

/** ListKeys filters: within one field any value matches; across fields all must. An absent or empty field constrains nothing. */
export interface KeyFilter {
  readonly keyState?: readonly KeyState[];
  readonly keySpec?: readonly KeySpec[];
  readonly keyUsage?: readonly KeyUsage[];
  readonly protectionLevel?: readonly ProtectionLevel[];
  /** A key matches when one of its tags has one of these keys. */
  readonly tagKey?: readonly string[];
  /** A key matches when one of its tags has one of these values (not necessarily the tag a tagKey filter matched). */
  readonly tagValue?: readonly string[];
}

/**
 * Where keys, versions and aliases live. Every method is one atomic, durable transaction: when
 * its promise resolves the change survives a crash, and when it rejects nothing changed.
 * Nothing here holds plaintext key material.
 *
 * Errors every adapter must raise (all `StoreConflictError`):
 * - `createKey` when the key id or the version id exists;
 * - `updateKey` / `addKeyVersion` / `deleteKey` when the stored revision differs from
 *   `expectedRevision` (`reason: 'stale-revision'`) or the key does not exist (`'missing'`);
 * - `createAlias` when the alias exists (`reason: 'alias-exists'`), or its key does not;
 * - `updateAlias` / `deleteAlias` when the alias does not exist (`reason: 'alias-missing'`).
 * Lists are ordered by creation (oldest first), ties broken by id, except the due lists, which
 * are ordered by due date. A `limit` or page size below 1 is a caller bug (a precondition error).
 */
export interface KeyStore {
  createKey(key: Key, firstVersion: KeyVersion): Promise<void>;
  getKey(keyId: string): Promise<Key | undefined>;
  /** Replaces the key's record; `key.revision` must be `expectedRevision + 1`. */
  updateKey(key: Key, expectedRevision: number): Promise<void>;
  /** Adds a version and stores `key` (which names it primary) in the same transaction. */
  addKeyVersion(key: Key, version: KeyVersion, expectedRevision: number): Promise<void>;
  /**
   * Deletes the key, its versions, and the aliases that name it, only if the stored revision is
   * still `expectedRevision`: a change that raced the caller (CancelKeyDeletion against the
   * deletion job) either lands first and the deletion fails, or finds the key gone.
   */
  deleteKey(keyId: string, expectedRevision: number): Promise<void>;
  listKeys(filter: KeyFilter, page: Page): Promise<PageOf<Key>>;
  /**
   * At most `limit` keys whose automatic rotation is due at `nowMs`: `automaticRotation` on,
   * `keyState` Enabled (a Disabled or PendingDeletion key's rotation is suspended), a rotation
   * interval, and `lastRotationDate + rotationIntervalSeconds * 1000 <= nowMs`. Ordered by that
   * due date, oldest first, ties broken by key id.
   */
  listKeysDueForRotation(nowMs: number, limit: number): Promise<Key[]>;
  /**
   * At most `limit` PendingDeletion keys whose `deleteDate <= nowMs`, ordered by `deleteDate`,
   * oldest first, ties broken by key id.
   */
  listKeysDueForDeletion(nowMs: number, limit: number): Promise<Key[]>;
  /**
   * At most `limit` keys whose `materialExpireTime <= nowMs` (in any state), ordered by that
   * time, oldest first, ties broken by key id.
   */
  listKeysDueForMaterialExpiry(nowMs: number, limit: number): Promise<Key[]>;
  /**
   * Replaces the material and commitment of one existing version of `key` (imported material
   * arriving, or being destroyed) and stores `key`, in the same transaction, only if the stored
   * revision is still `expectedRevision`. `version` names the version by its id; its creation
   * date is not changed. A version that does not exist, or belongs to another key, is a
   * precondition error.
   */
  replaceKeyMaterial(key: Key, version: KeyVersion, expectedRevision: number): Promise<void>;

  getKeyVersion(keyVersionId: string): Promise<KeyVersion | undefined>;
  /** A key's versions in the order they were added (so the primary is last), whatever their dates. */
  listKeyVersions(keyId: string, page: Page): Promise<PageOf<KeyVersion>>;

  createAlias(alias: Alias): Promise<void>;
  getAlias(aliasName: string): Promise<Alias | undefined>;
  /** Points an existing alias at another key. */
  updateAlias(aliasName: string, keyId: string): Promise<void>;
  deleteAlias(aliasName: string): Promise<void>;
  /** All aliases, or those of one key. */
  listAliases(page: Page, keyId?: string): Promise<PageOf<Alias>>;

  /**
   * Applies `writes` as one atomic, durable transaction (docs/adr/0024): all of them or none.
   *
   * - The writes run in order, and each sees the ones before it: a batch may create a key and
   *   then an alias for it, or move a key from revision 4 to 5 and then from 5 to 6.
   * - Every write checks its own condition (a `StoreWrite` names it) against the store as the
   *   writes before it left it. The first write that fails rejects the batch with the error it
   *   raises on its own — the same `StoreConflictError` reason as the single-write method of the
   *   same name — and nothing of the batch is applied.
   * - Caller mistakes (a revision that does not move by exactly one, a version the key does not
   *   name primary, an unknown `kind`) are `StorePreconditionError`s, found in the whole batch
   *   before any write runs, so a race elsewhere in the batch cannot hide them.
   * - When the promise resolves the whole batch survives a crash; when it rejects, nothing of it
   *   is stored. Two batches (or a batch and a single write) conditioned on the same revision
   *   of a key never both succeed.
   * - An empty batch resolves and changes nothing.
   * - The writes and the records in them are the caller's: it must not change them until the
   *   promise settles, and the store keeps no reference to them afterwards.
   *
   * What every adapter must do: run the whole batch in one transaction of its database, and
   * hold no transaction open while control is back with the caller. A batch is data, not a
   * callback, so that it fits SQLite's group commit (each batch one savepoint in the shared
   * transaction) and one PostgreSQL `BEGIN … COMMIT` alike.
   */
  applyBatch(writes: readonly StoreWrite[]): Promise<void>;

  close(): Promise<void>;
}

export type StoreConflictReason = 'exists' | 'stale-revision' | 'missing' | 'alias-exists' | 'alias-missing';

export class StoreConflictError extends Error {
  readonly reason: StoreConflictReason;
  constructor(reason: StoreConflictReason, detail: string) {
    super(`${reason}: ${detail}`);
    this.name = 'StoreConflictError';
    this.reason = reason;
  }
}

/**
 * One write of an atomic batch (`KeyStore.applyBatch`). Each is what the single-write method of
 * the same name does, with the same condition and the same conflicts; `require-key-revision`
 * writes nothing and only conditions the batch. Tags live in the key record, so tag changes are
 * an `update-key`. Access keys and metadata live in the same database as keys, so a batch may
 * carry their puts too.
 */
export type StoreWrite =
  | CreateKeyWrite
  | UpdateKeyWrite
  | AddKeyVersionWrite
  | ReplaceKeyMaterialWrite
  | DeleteKeyWrite
  | RequireKeyRevisionWrite
  | CreateAliasWrite
  | UpdateAliasWrite
  | DeleteAliasWrite
  | PutAccessKeyWrite
  | PutMetadataWrite;

/** `createKey`: `exists` when the key id or the version id is taken. */
export interface CreateKeyWrite {
  readonly kind: 'create-key';
  readonly key: Key;
  /** Must belong to `key`, which must name it primary. */
  readonly firstVersion: KeyVersion;
}

/** `updateKey`: `stale-revision` or `missing`. `key.revision` must be `expectedRevision + 1`. */
export interface UpdateKeyWrite {
  readonly kind: 'update-key';
  readonly key: Key;
  readonly expectedRevision: number;
}

/** `addKeyVersion`: `stale-revision` or `missing`, `exists` when the version id is taken. */
export interface AddKeyVersionWrite {
  readonly kind: 'add-key-version';
  /** The next revision, naming `version` primary. */
  readonly key: Key;
  readonly version: KeyVersion;
  readonly expectedRevision: number;
}

/**
 * `replaceKeyMaterial`: `stale-revision` or `missing`. A version that does not exist, or belongs
 * to another key, is a precondition error; its creation date is kept.
 */
export interface ReplaceKeyMaterialWrite {
  readonly kind: 'replace-key-material';
  readonly key: Key;
  readonly version: KeyVersion;
  readonly expectedRevision: number;
}

/** `deleteKey`, with its versions and aliases: `stale-revision` or `missing`. */
export interface DeleteKeyWrite {
  readonly kind: 'delete-key';
  readonly keyId: string;
  readonly expectedRevision: number;
}

/**
 * Writes nothing: the batch fails with `stale-revision` (or `missing`) unless the key is at
 * `expectedRevision` at this point of the batch. For writes that depend on a key they do not
 * change, such as an alias created only while its key is still as the caller read it.
 */
export interface RequireKeyRevisionWrite {
  readonly kind: 'require-key-revision';
  readonly keyId: string;
  readonly expectedRevision: number;
}

/** `createAlias`: `alias-exists`, or `missing` when its key does not exist. */
export interface CreateAliasWrite {
  readonly kind: 'create-alias';
  readonly alias: Alias;
}

/** `updateAlias`: `alias-missing`, or `missing` when the new key does not exist. */
export interface UpdateAliasWrite {
  readonly kind: 'update-alias';
  readonly aliasName: string;
  readonly keyId: string;
}

/** `deleteAlias`: `alias-missing`. */
export interface DeleteAliasWrite {
  readonly kind: 'delete-alias';
  readonly aliasName: string;
}

/** `putAccessKey`: inserts or replaces; never conflicts. */
export interface PutAccessKeyWrite {
  readonly kind: 'put-access-key';
  readonly record: AccessKeyRecord;
}

/** `putMetadata`: inserts or replaces; never conflicts. */
export interface PutMetadataWrite {
  readonly kind: 'put-metadata';
  readonly name: string;
  readonly value: Buffer;
}

/** An access key that may sign requests. The secret is stored sealed, never in the clear. */
export interface AccessKeyRecord {
  readonly accessKeyId: string;
  readonly sealedSecret: Buffer;
  readonly principal: string;
  readonly enabled: boolean;
  readonly creationDate: number;
}

export interface AccessKeyStore {
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  /** Inserts or replaces. */
  putAccessKey(record: AccessKeyRecord): Promise<void>;
  /** Whether any administrator key exists yet. */
  countAccessKeys(): Promise<number>;
}

/** Why an identity write was refused: the condition the store checked inside its transaction. */
export type IdentityConflictReason =
  | 'user-exists'
  | 'user-missing'
  | 'user-has-access-keys'
  | 'user-has-policies'
  | 'user-in-groups'
  | 'access-key-limit'
  | 'access-key-missing'
  | 'group-exists'
  | 'group-missing'
  | 'member-exists'
  | 'member-missing'
  | 'policy-exists'
  | 'policy-missing'
  | 'policy-version-missing'
  | 'policy-version-limit'
  | 'policy-version-default'
  | 'policy-has-versions'
  | 'policy-attached-to-user'
  | 'policy-attached-to-group'
  | 'attachment-exists'
  | 'attachment-missing';

export class IdentityConflictError extends Error {
  readonly reason: IdentityConflictReason;
  constructor(reason: IdentityConflictReason, detail: string) {
    super(`${reason}: ${detail}`);
    this.name = 'IdentityConflictError';
    this.reason = reason;
  }
}

/** How CreatePolicyVersion makes room when a policy has all its versions (RAM's RotateStrategy). */
export interface NewPolicyVersionOptions {
  readonly setAsDefault: boolean;
  readonly maxVersions: number;
  /** Delete the oldest version that is not the default instead of refusing with `policy-version-limit`. */
  readonly deleteOldestWhenFull: boolean;
}

/**
 * Where RAM identities live (docs/adr/0027): users, their access keys, groups and memberships,
 * custom policies and their versions, and attachments. Every method is one atomic, durable
 * transaction that checks its own conditions inside it and refuses with `IdentityConflictError`
 * (the reason named on each method) when one fails, changing nothing. Names are compared exactly
 * (case-sensitive). Lists are ordered by name, except versions (in the order they were added),
 * attachments and memberships (by date, ties by name).
 *
 * A user's access keys are ordinary `AccessKeyRecord`s of the same database, so that the
 * per-request `AccessKeyStore.getAccessKey` sees them; this port also records which user owns
 * each, and keeps their `principal` equal to the owner's Arn (`principalOf`) through renames.
 *
 * Every successful write increments `revision()`, in the same transaction: a process that read
 * revision n and reads n again knows that no identity changed in between, whoever wrote.
 */
export interface IdentityStore {
  /** A counter every identity write increments; 0 for a new store. */
  revision(): Promise<number>;

  /** `user-exists` when the name is taken. */
  createUser(user: RamUser): Promise<void>;
  getUser(userName: string): Promise<RamUser | undefined>;
  /**
   * Replaces the user whose id is `user.userId` (`user-missing`); a new name must be free
   * (`user-exists`). The user's access keys take `principal` in the same transaction.
   */
  updateUser(user: RamUser, principal: string): Promise<void>;
  /** At most `limit` users whose names sort after `afterName` (all when undefined). */
  listUsers(afterName: string | undefined, limit: number): Promise<RamUser[]>;
  /**
   * `user-missing`; `user-has-access-keys`, `user-has-policies`, `user-in-groups` while the user
   * still has any (checked in this order), as RAM refuses.
   */
  deleteUser(userId: string): Promise<void>;

  /** Stores `record` as the user's: `user-missing`; `access-key-limit` when the user has `maxPerUser` already. */
  createUserAccessKey(userId: string, record: AccessKeyRecord, maxPerUser: number): Promise<void>;
  /** The user's access keys, oldest first. */
  listUserAccessKeys(userId: string): Promise<AccessKeyRecord[]>;
  /** `access-key-missing` when the user has no such key. */
  setUserAccessKeyEnabled(userId: string, accessKeyId: string, enabled: boolean): Promise<void>;
  /** `access-key-missing` when the user has no such key. */
  deleteUserAccessKey(userId: string, accessKeyId: string): Promise<void>;

  /** `group-exists`. */
  createGroup(group: RamGroup): Promise<void>;
  getGroup(groupName: string): Promise<RamGroup | undefined>;
  /** `user-missing`, `group-missing`, `member-exists`. */
  addUserToGroup(groupId: string, userId: string, joinDate: number): Promise<void>;
  /** `member-missing`. */
  removeUserFromGroup(groupId: string, userId: string): Promise<void>;
  listGroupsForUser(userId: string): Promise<GroupMembership[]>;

  /** `policy-exists`; `firstVersion` becomes the default. */
  createPolicy(policy: CustomPolicy, firstVersion: PolicyVersion): Promise<void>;
  getPolicy(policyName: string): Promise<CustomPolicy | undefined>;
  listPolicies(afterName: string | undefined, limit: number): Promise<CustomPolicy[]>;
  /** The policy's versions in the order they were added; empty when it does not exist. */
  listPolicyVersions(policyName: string): Promise<PolicyVersion[]>;
  /**
   * Adds the next version, numbered one past the highest ever used, and returns it:
   * `policy-missing`; `policy-version-limit` when full (unless `deleteOldestWhenFull`).
   */
  addPolicyVersion(policyName: string, document: string, createDate: number, options: NewPolicyVersionOptions): Promise<PolicyVersion>;
  /** `policy-missing`, `policy-version-missing`, `policy-version-default`. */
  deletePolicyVersion(policyName: string, versionId: string): Promise<void>;
  /**
   * `policy-missing`. Without `cascade`: `policy-attached-to-user`, `policy-attached-to-group`,
   * `policy-has-versions` (versions besides the default). With it, detaches and deletes them too.
   */
  deletePolicy(policyName: string, cascade: boolean): Promise<void>;
  /** How many users and groups the policy is attached to. */
  countAttachments(policy: PolicyRef): Promise<number>;

  /**
   * `user-missing` / `group-missing` for the target; `policy-missing` for a custom policy that
   * does not exist (system policies are Arca's, checked by the caller); `attachment-exists`.
   */
  attachPolicy(target: AttachmentTarget, attachment: PolicyAttachment): Promise<void>;
  /** `attachment-missing`. */
  detachPolicy(target: AttachmentTarget, policy: PolicyRef): Promise<void>;
  listAttachments(target: AttachmentTarget): Promise<PolicyAttachment[]>;
  /**
   * The policies in force for a user, read in one snapshot: attached to the user directly and
   * through each of its groups, each once, custom ones with their default version.
   */
  policiesOfUser(userId: string): Promise<StoredUserPolicy[]>;
}

/** A store that keeps RAM identities beside its keys (docs/adr/0027). */
export interface HasIdentityStore {
  readonly identities: IdentityStore;
}
/** How many keys are in one state, of one spec, at one protection level (for the metrics). */
export interface KeyCountRow {
  readonly keyState: string;
  readonly keySpec: string;
  readonly protectionLevel: string;
  readonly count: number;
}

/**
 * What a store holds, counted (the `arca_keys` and `arca_key_versions` metrics read it at each
 * scrape). A port of its own, beside KeyStore: a store without it serves all the same, and the
 * metrics then leave those two gauges out.
 */
export interface KeyInventory {
  /** One row per (state, spec, protection level) that has keys; the stored state, as ListKeys filters it. */
  countKeys(): Promise<KeyCountRow[]>;
  countKeyVersions(): Promise<number>;
}

/** Told of each store transaction: the writes it committed together, and its time in milliseconds. */
export type CommitObserver = (writes: number, durationMs: number) => void;

/** Small named values the server keeps beside its data, such as the root key's check value. */
export interface MetadataStore {
  getMetadata(name: string): Promise<Buffer | undefined>;
  putMetadata(name: string, value: Buffer): Promise<void>;
  /**
   * Stores `value` only if `name` has no value yet, and resolves with the value stored under
   * `name` afterwards: the caller's, or the one that was there first. Two processes creating the
   * same record at once both end up with the one that won.
   */
  putMetadataIfAbsent(name: string, value: Buffer): Promise<Buffer>;
}

/**
 * Makes and opens key material. A protector never hands plaintext material to its caller
 * except when asked for an `Aead`, whose key stays inside it.
 */
export interface KeyProtector {
  readonly protectionLevel: ProtectionLevel;
  /**
   * Whether material of `keySpec` can be kept at this level (an HSM may lack a mechanism).
   * `generate` and `open` throw `KmsError` UnsupportedKeySpecAtProtectionLevel for the others.
   */
  supportsKeySpec(keySpec: KeySpec): boolean;
  /** Generates fresh material for `keySpec` and returns it protected, bound to the version id. */
  generate(keySpec: KeySpec, keyVersionId: string): Promise<ProtectedMaterial>;
  /** Protects material that came from outside (bring your own key). */
  protect(material: SecretBytes, keyVersionId: string): Promise<ProtectedMaterial>;
  /**
   * An AEAD over the version's material: AES-256-GCM or SM4-GCM in the sealed layout
   * iv(12) ‖ ciphertext ‖ tag(16), whatever holds the key. Throws when the material fails to
   * open (wrong version id, tampered). Its `decrypt` throws `AeadAuthenticationError` for every
   * ciphertext that does not authenticate. An adapter whose backing device is unreachable
   * throws `KmsError` ServiceUnavailableTemporary.
   */
  open(keySpec: KeySpec, keyVersionId: string, material: ProtectedMaterial): Promise<Aead>;
  /**
   * Present when the device unwraps imported material itself (an HSM): then material brought
   * into keys at this level never passes through Arca's memory (docs/adr/0020).
   */
  readonly inDeviceImport?: InDeviceImporter;
}

/** One import key pair in a device, bound to a key and to the ImportToken that names it. */
export interface InDeviceImportPair {
  readonly keyId: string;
  /** Random (32 hex digits), carried sealed inside the ImportToken. */
  readonly pairId: string;
  readonly expiresAtMs: number;
}

/** What an in-device import gives: the material as stored, and the device's MAC committing to it. */
export interface InDeviceImportedMaterial {
  readonly material: ProtectedMaterial;
  /** A MAC keyed by the material over the caller's message: equal for equal material only. */
  readonly commitment: Buffer;
}

/** Bring-your-own-key with the wrapping key pair inside the device (docs/adr/0020). */
export interface InDeviceImporter {
  /** The one wrapping scheme the device unwraps. */
  readonly scheme: { readonly keySpec: string; readonly algorithm: string };
  /**
   * Makes the pair in the device (its private key sensitive and never extractable) and returns
   * the public key, DER SubjectPublicKeyInfo. First destroys expired pairs and the oldest beyond
   * the bounds, so the device holds a bounded number.
   */
  createImportKeyPair(pair: InDeviceImportPair, nowMs: number): Promise<Buffer>;
  /**
   * Unwraps `encryptedKeyMaterial` with the pair inside the device and stores it for the version.
   * KmsError InvalidImportToken when the pair is gone (used or swept); InvalidKeyMaterial when
   * the bytes do not unwrap to a key of the right length.
   */
  importWrapped(
    pair: InDeviceImportPair,
    keyVersionId: string,
    encryptedKeyMaterial: Buffer,
    commitmentMessage: Buffer,
  ): Promise<InDeviceImportedMaterial>;
  /** Destroys the pair (after a successful import). */
  deleteImportKeyPair(pair: InDeviceImportPair): Promise<void>;
}

/**
 * A keyed digest under a key derived from the root key: equal inputs give equal digests, and
 * nobody without the root key can compute or test one. `purpose` and `binding` are part of the
 * input, unambiguously, so digests made for one record or use never match another's.
 */
export interface KeyedDigest {
  digest(data: Buffer, purpose: string, binding: string): Promise<Buffer>;
}

/**
 * Seals small secrets (access key secrets, check values) under the server's root key.
 * `purpose` and `binding` are authenticated: a value opens only for the record it was sealed for.
 */
export interface SecretSealer {
  seal(plaintext: Buffer, purpose: string, binding: string): Promise<Buffer>;
  /** Throws when the value was not sealed by this root key for this purpose and binding. */
  open(sealed: Buffer, purpose: string, binding: string): Promise<Buffer>;
}

/**
 * One record of an audit chain, as stored (docs/adr/0028). `body` is the record's JSON text,
 * kept byte for byte: `hash` is SHA-256 over the chain id, the sequence, `previousHash` and
 * `body`, so a verifier needs nothing but these fields.
 */
export interface AuditChainRecord {
  readonly chainId: string;
  /** 1 for a chain's first record, then one more for each. */
  readonly sequence: number;
  /** Lower-case hex; 64 zeros for a chain's first record. */
  readonly previousHash: string;
  readonly hash: string;
  /** Milliseconds since the epoch: the event's time, for range reads. Equals the body's. */
  readonly eventTime: number;
  readonly body: string;
}

/** What a signed checkpoint says: chain `chainId` had `sequence` records, the last hashing to `headHash`. */
export interface AuditCheckpoint {
  readonly chainId: string;
  readonly sequence: number;
  readonly headHash: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
  /**
   * `interval` while the writer runs, `final` at its clean shutdown (nothing follows), `retention`
   * where records up to `sequence` were pruned: the kept chain starts after it.
   */
  readonly kind: 'interval' | 'final' | 'retention';
  /** The signing key's id: hex of the first 8 bytes of SHA-256 of its DER SubjectPublicKeyInfo. */
  readonly keyId: string;
  /** Ed25519 over the checkpoint's message (docs/adr/0028). */
  readonly signature: Buffer;
}

/**
 * Where the audit trail is kept: an append-only table of chain records and one of signed
 * checkpoints, in the Arca database. The store checks nothing of the chain; the writer
 * (src/audit) computes it and a verifier checks it.
 *
 * What every adapter must do:
 * - `append` stores records durably: when its promise resolves they survive a crash (SQLite
 *   group-commits them, as the key store does its writes). Appends of one chain are stored in the
 *   order they were called. When it rejects none of the records given to it was stored, and
 *   every later append to the same chain is refused (it would follow a gap): the writer opens
 *   a new chain. Appends that commit together (a group) fail together.
 * - Nothing updates a record or a checkpoint; records are deleted only by `prune`, and only up
 *   to a retention checkpoint it stores in the same transaction.
 * - Reads see one consistent snapshot per call, and work while another process writes.
 */
export interface AuditStore {
  append(records: readonly AuditChainRecord[]): Promise<void>;
  appendCheckpoint(checkpoint: AuditCheckpoint): Promise<void>;
  /** Every chain's id, in the order their first kept record was stored. */
  listChains(): Promise<string[]>;
  /** At most `limit` records of `chainId` with a sequence above `afterSequence`, in sequence order. */
  readChain(chainId: string, afterSequence: number, limit: number): Promise<AuditChainRecord[]>;
  /**
   * At most `limit` records with `since <= eventTime < until`, ordered by time, then chain, then
   * sequence, starting after `after` (the last record of the previous page) when given.
   */
  readByTime(
    range: { readonly since: number; readonly until: number },
    limit: number,
    after?: { readonly eventTime: number; readonly chainId: string; readonly sequence: number },
  ): Promise<AuditChainRecord[]>;
  /** Every checkpoint, of one chain or of all, ordered by chain, then sequence. */
  listCheckpoints(chainId?: string): Promise<AuditCheckpoint[]>;
  /**
   * Deletes the records of `retention.chainId` up to `retention.sequence`, and stores the
   * retention checkpoint, in one transaction.
   */
  prune(retention: AuditCheckpoint): Promise<void>;
  close(): Promise<void>;
}
