import type { Aead } from '../crypto/aead.js';
import type { EncryptionContext } from '../domain/encryption-context.js';
import type { AuditEventReader } from '../domain/audit-event.js';
import type { Alias, Key } from '../domain/key.js';
import type { KeyReference } from '../domain/key-reference.js';
import type { StateRule } from '../domain/key-state.js';
import type { Clock, KeyedDigest, Page, PageOf, SecretSealer } from '../domain/ports.js';
import type { KeyRepository } from './key-repository.js';
import type { IdentityRepository } from './ram/identity-repository.js';

/** Who is calling: resolved from the access key that signed the request. */
export interface Caller {
  readonly accessKeyId: string;
  readonly principal: string;
}

/** Server-wide settings the operations need; filled in once at start-up. */
export interface OperationSettings {
  readonly minRotationIntervalSeconds: number;
}

export interface OperationContext {
  readonly caller: Caller;
  readonly requestId: string;
  readonly keys: KeyRepository;
  /** RAM users, groups and policies (docs/adr/0027). */
  readonly identities: IdentityRepository;
  readonly clock: Clock;
  readonly settings: OperationSettings;
  /**
   * The root key's sealing and keyed digests, for bring your own key: the wrapping private key
   * travels sealed in the ImportToken, and imported material is remembered by a keyed commitment.
   */
  readonly secrets: SecretSealer & KeyedDigest;
  /** The audit trail's events, for ListAuditEvents; absent where the server keeps no trail. */
  readonly auditEvents?: AuditEventReader;
  /** Tells the audit event which version of the resource `role` the operation sealed with. */
  recordKeyVersion(role: string, keyVersionId: string): void;
  /** Adds a resource the operation made (CreateKey's new key) to the audit event. */
  recordCreatedKey(keyId: string, keyVersionId: string): void;
}

/**
 * What an operation acts on, declared as data: the runner resolves each one, asks the
 * authorisation point about it, checks the key state rule, and names it in the audit event,
 * all before the operation runs.
 */
export type ResourceSpec = KeyResource | CiphertextResource | AliasResource | CollectionResource | IdentityResource;

/** A key named by id or alias; `rule` is the state-table group the action belongs to. */
export interface KeyResource {
  readonly type: 'key';
  readonly reference: KeyReference;
  readonly rule: StateRule;
  /** The encryption context the request names for this key, which access policies may test. */
  readonly encryptionContext?: EncryptionContext;
}

/** The key version a ciphertext's header names, and so its key. */
export interface CiphertextResource {
  readonly type: 'ciphertext';
  /** The whole ciphertext blob, binary (the layout of the blob ADR). */
  readonly blob: Buffer;
  readonly rule: StateRule;
  /** The encryption context the request names for this ciphertext, which access policies may test. */
  readonly encryptionContext?: EncryptionContext;
  /**
   * Another action the runner asks about on the same key without refusing when it is not
   * allowed: the answer is the resolved ciphertext's `alsoAllowed` (ExportDataKey asks whether
   * the caller may also Decrypt, ADR 26).
   */
  readonly alsoAsk?: string;
}

/**
 * An alias; with `target`, also the key it names now (which must exist: AliasNotFound).
 * A new alias (CreateAlias) has no target yet.
 */
export interface AliasResource {
  readonly type: 'alias';
  readonly aliasName: string;
  readonly target: boolean;
}

/**
 * The account's keys or aliases as a whole (CreateKey, ListKeys, ListAliases), or the service
 * itself (DescribeRegions, GetRandomPassword): authorised, but nothing to resolve.
 */
export interface CollectionResource {
  readonly type: 'collection';
  readonly collection: 'keys' | 'aliases' | 'service';
}

/**
 * A RAM user, group or policy by name (`*` for all of them: ListUsers, ListPolicies), authorised
 * on `acs:ram::<account>:<entity>/<name>`; the operation reads it itself.
 */
export interface IdentityResource {
  readonly type: 'identity';
  readonly entity: 'user' | 'group' | 'policy';
  readonly name: string;
}

/** A resolved ciphertext: its key (authorised, state checked), version, and sealed bytes. */
export interface ResolvedCiphertext {
  readonly key: Key;
  readonly keyVersionId: string;
  /** iv ‖ ciphertext ‖ tag. */
  readonly sealed: Buffer;
  /** Undefined when the version has no material (an EXTERNAL key awaiting import). */
  readonly aead: Aead | undefined;
  /** Whether the caller may also run the spec's `alsoAsk` action on the key; true when it named none. */
  readonly alsoAllowed: boolean;
}

export interface ResolvedAlias {
  readonly aliasName: string;
  /** The key the alias names, when the spec asked for it. */
  readonly target: Key | undefined;
  /** The stored alias, when the spec asked for the target. */
  readonly alias: Alias | undefined;
}

export type Resolved<S extends ResourceSpec> = S extends KeyResource
  ? Key
  : S extends CiphertextResource
    ? ResolvedCiphertext
    : S extends AliasResource
      ? ResolvedAlias
      : undefined;

export type ResourceSpecs = Readonly<Record<string, ResourceSpec>>;
export type ResolvedResources<R extends ResourceSpecs> = { readonly [K in keyof R]: Resolved<R[K]> };

/**
 * One use case, free of any wire format: inputs and outputs are bytes and typed values, refusals
 * are `KmsError`s of the catalog. The runner calls, in this order: `validate` (checks that need
 * no key), `resources` (what the action acts on, resolved and authorised in declaration order),
 * then `run`.
 */
export interface Operation<Input, Output, R extends ResourceSpecs = ResourceSpecs> {
  /** The action's name, as policies and the audit trail know it. */
  readonly action: string;
  validate?(input: Input, context: OperationContext): void;
  resources(input: Input): R;
  run(context: OperationContext, input: Input, resolved: ResolvedResources<R>): Promise<Output>;
}

export function defineOperation<Input, Output, R extends ResourceSpecs>(
  operation: Operation<Input, Output, R>,
): Operation<Input, Output, R> {
  return operation;
}

export const resource = {
  key: (reference: KeyReference, rule: StateRule, encryptionContext?: EncryptionContext): KeyResource => ({
    type: 'key',
    reference,
    rule,
    ...(encryptionContext === undefined ? {} : { encryptionContext }),
  }),
  ciphertext: (blob: Buffer, rule: StateRule, encryptionContext?: EncryptionContext, alsoAsk?: string): CiphertextResource => ({
    type: 'ciphertext',
    blob,
    rule,
    ...(encryptionContext === undefined ? {} : { encryptionContext }),
    ...(alsoAsk === undefined ? {} : { alsoAsk }),
  }),
  alias: (aliasName: string, options: { target: boolean }): AliasResource => ({ type: 'alias', aliasName, target: options.target }),
  keys: (): CollectionResource => ({ type: 'collection', collection: 'keys' }),
  aliases: (): CollectionResource => ({ type: 'collection', collection: 'aliases' }),
  service: (): CollectionResource => ({ type: 'collection', collection: 'service' }),
  user: (userName: string): IdentityResource => ({ type: 'identity', entity: 'user', name: userName }),
  group: (groupName: string): IdentityResource => ({ type: 'identity', entity: 'group', name: groupName }),
  policy: (policyName: string): IdentityResource => ({ type: 'identity', entity: 'policy', name: policyName }),
} as const;

/** A page of a list, with the paging it was asked for (list responses echo both). */
export type Paged<T> = PageOf<T> & Page;
