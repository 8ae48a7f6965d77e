import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { decodeCiphertextBlob } from '../domain/ciphertext-blob.js';
import { aliasArn, aliasCollectionArn, ANY_RESOURCE, keyArn, keyCollectionArn, type ArnScope } from '../domain/arn.js';
import type {
  AuditedParameter,
  AuditEvent,
  AuditEventReader,
  AuditIdentity,
  AuditIntent,
  AuditResource,
  AuditSink,
  AuditTrail,
} from '../domain/audit-event.js';
import { KmsError } from '../domain/errors.js';
import { assertStateAllows } from '../domain/key-state.js';
import type { Key } from '../domain/key.js';
import type { Clock, KeyedDigest, SecretSealer } from '../domain/ports.js';
import { stateAt, type KeyRepository } from '../operations/key-repository.js';
import type { IdentityRepository } from '../operations/ram/identity-repository.js';
import type {
  Caller,
  CollectionResource,
  Operation,
  OperationContext,
  OperationSettings,
  ResolvedResources,
  ResourceSpec,
  ResourceSpecs,
} from '../operations/operation.js';
import type { EncryptionContext } from '../domain/encryption-context.js';
import { SYSTEM_PRINCIPAL, type AuthorizationRequest, type Authorizer, type RequestConditionFacts } from './authorizer.js';

/** A claim is unverified: an unauthenticated caller must not choose how much the audit trail writes. */
export const MAX_CLAIMED_ACCESS_KEY_ID_LENGTH = 128;
import { eventReadWrite } from './event-read-write.js';

export interface RunnerDependencies {
  readonly keys: KeyRepository;
  readonly identities: IdentityRepository;
  readonly authorizer: Authorizer;
  readonly audit: AuditSink;
  /**
   * The durable trail (docs/adr/0028). When present, a request's event is durable before its
   * response leaves and a Write's intent before its effect; when either cannot be written the
   * request fails with InternalFailure.
   */
  readonly trail?: AuditTrail;
  /** The trail's events, for ListAuditEvents. */
  readonly auditEvents?: AuditEventReader;
  readonly clock: Clock;
  readonly settings: OperationSettings;
  readonly secrets: SecretSealer & KeyedDigest;
  readonly logger: Logger;
}

/** What a front end knows of a request before reading it. */
export interface RequestFacts {
  /** The front end's name in the audit trail (`alibaba`). */
  readonly source: string;
  readonly requestId: string;
  readonly sourceIp?: string;
  /** Whether the request came over TLS; false when absent. */
  readonly secureTransport?: boolean;
  readonly userAgent?: string;
}

/** A request in flight: what the front end tells the runner as it reads the request. */
export interface Call {
  /** The action the request names, once read. */
  nameAction(action: string): void;
  /** The access key the request claims to be signed by, before its signature is checked. */
  claimAccessKey(accessKeyId: string): void;
  /** The verified caller. */
  authenticated(caller: Caller): void;
  /** The request's parameters as the trail may keep them (after authentication only). */
  recordParameters(parameters: readonly AuditedParameter[]): void;
  /** Resolves, authorises and runs one operation for the authenticated caller. */
  execute<I, O, R extends ResourceSpecs>(operation: Operation<I, O, R>, input: I): Promise<O>;
  /**
   * The key the last operation executed resolved for `role` (a ciphertext's key included) and the
   * version it used, as the audit event records them; undefined when it resolved none. A front end
   * whose wire answers with more than the operation returns (AWS's ReEncrypt names its source key)
   * reads it here rather than asking the store.
   */
  resolvedKey(role: string): { readonly keyId: string; readonly keyVersionId?: string } | undefined;
}

/** What a job did with one key: acted on it, or left it because another writer changed it first. */
export type JobActionOutcome = 'done' | 'skipped';

/** Where each job action on one key is recorded (the runner: one audit event per action). */
export interface JobActionRecorder {
  runJobAction(action: string, key: Key, work: () => Promise<JobActionOutcome>): Promise<JobActionOutcome>;
}

/** How a front end names an error on its wire, for the audit event's result. */
export type ErrorCodeOf = (error: KmsError) => string;

const SYSTEM_CALLER: Caller = { accessKeyId: '', principal: SYSTEM_PRINCIPAL };

/**
 * The one pipeline every request and job goes through: the front end reads its wire inside
 * `serve`, which resolves each resource an operation declares, asks the authorisation point about
 * each, checks the key state rule, runs the operation, and emits exactly one audit event, whatever
 * the outcome (a bad signature, a throttled key and a malformed request included).
 */
export class OperationRunner implements JobActionRecorder {
  readonly #deps: RunnerDependencies;

  constructor(deps: RunnerDependencies) {
    this.#deps = deps;
  }

  get scope(): ArnScope {
    return this.#deps.keys.scope;
  }

  /**
   * Runs `handle` as one request. Anything it throws that is not a catalog error is logged with
   * the request id and becomes `Internal`; the (catalog) error is rethrown for the front end to
   * answer with, after the event records it.
   */
  async serve<T>(facts: RequestFacts, handle: (call: Call) => Promise<T>, codeOf: ErrorCodeOf): Promise<T> {
    const draft = this.#draft(facts);
    let outcome: { ok: true; value: T } | { ok: false; error: KmsError };
    try {
      outcome = { ok: true, value: await handle(this.#call(draft)) };
      draft.succeed();
    } catch (thrown) {
      const error = this.#asCatalogError(thrown, facts.requestId);
      draft.fail(error, codeOf(error));
      outcome = { ok: false, error };
    }
    // Fail closed: the answer leaves only once its event is durable (docs/adr/0028).
    await this.#finishEvent(draft);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /**
   * One action of a background job on one key, as Arca's own principal: one audit event,
   * whatever the outcome. Errors are rethrown as they are, for the job to report.
   */
  async runJobAction(action: string, key: Key, work: () => Promise<JobActionOutcome>): Promise<JobActionOutcome> {
    const draft = this.#draft({ source: 'job', requestId: randomUUID() });
    draft.nameAction(action);
    draft.identify({ type: 'system', principal: SYSTEM_PRINCIPAL });
    draft.addResource({ role: 'key', arn: keyArn(this.scope, key.keyId), keyId: key.keyId });
    return this.#recordedAsSystem(
      draft,
      async () => {
        await this.#recordIntent(draft);
        return work();
      },
      (outcome) => outcome === 'done',
    );
  }

  /** Runs an operation as Arca itself, outside any request (tests and tools drive operations so). */
  async executeAsSystem<I, O, R extends ResourceSpecs>(operation: Operation<I, O, R>, input: I): Promise<O> {
    const draft = this.#draft({ source: 'system', requestId: randomUUID() });
    draft.identify({ type: 'system', principal: SYSTEM_PRINCIPAL });
    return this.#recordedAsSystem(draft, () => this.#execute(draft, SYSTEM_CALLER, operation, input));
  }

  /**
   * Runs Arca's own work with one audit event, whatever the outcome: `Success`, `Skipped` when
   * `succeeded` says the work left its target alone, or the failure's kind. Errors are rethrown
   * as they are.
   */
  async #recordedAsSystem<T>(draft: EventDraft, work: () => Promise<T>, succeeded: (result: T) => boolean = () => true): Promise<T> {
    let result: T;
    try {
      result = await work();
      if (succeeded(result)) draft.succeed();
      else draft.skip();
    } catch (error) {
      const failure = error instanceof KmsError ? error : new KmsError('Internal');
      draft.fail(failure, failure.kind);
      await this.#finishEvent(draft);
      throw error;
    }
    await this.#finishEvent(draft);
    return result;
  }

  #draft(facts: RequestFacts): EventDraft {
    return new EventDraft(facts, this.#deps.clock.now(), this.scope.region);
  }

  /**
   * Completes the event, hands it to the sink, and waits until the trail holds it. A trail that
   * cannot write is logged (without the event) and fails the request with InternalFailure.
   */
  async #finishEvent(draft: EventDraft): Promise<void> {
    try {
      const event = await draft.finish(this.#deps.secrets);
      this.#deps.audit.emit(event);
      await this.#deps.trail?.record(event);
    } catch (error) {
      this.#deps.logger.error({ err: error, requestId: draft.requestId }, 'audit trail write failed: request refused');
      throw new KmsError('Internal');
    }
  }

  /** Before a Write takes effect: its intent is durable first, or the Write does not run. */
  async #recordIntent(draft: EventDraft): Promise<void> {
    const trail = this.#deps.trail;
    if (!trail || eventReadWrite(draft.action) === 'Read') return;
    try {
      await trail.recordIntent(draft.intent());
    } catch (error) {
      this.#deps.logger.error({ err: error, requestId: draft.requestId }, 'audit trail write failed: request refused');
      throw new KmsError('Internal');
    }
  }

  #call(draft: EventDraft): Call {
    let caller: Caller | undefined;
    return {
      nameAction: (action) => draft.nameAction(action),
      claimAccessKey: (accessKeyId) =>
        draft.identify({ type: 'anonymous', accessKeyId: accessKeyId.slice(0, MAX_CLAIMED_ACCESS_KEY_ID_LENGTH) }),
      authenticated: (verified) => {
        caller = verified;
        draft.identify({ type: 'access-key', principal: verified.principal, accessKeyId: verified.accessKeyId });
      },
      recordParameters: (parameters) => draft.recordParameters(parameters),
      execute: (operation, input) => {
        // A front end that executes before authenticating is a bug, not a request to refuse.
        if (!caller) throw new Error('execute before authenticated');
        return this.#execute(draft, caller, operation, input);
      },
      resolvedKey: (role) => draft.resolvedKey(role),
    };
  }

  async #execute<I, O, R extends ResourceSpecs>(draft: EventDraft, caller: Caller, operation: Operation<I, O, R>, input: I): Promise<O> {
    draft.nameAction(operation.action);
    const context = this.#context(draft, caller);
    operation.validate?.(input, context);
    const specs = operation.resources(input);
    const resolved: Record<string, unknown> = {};
    for (const role of Object.keys(specs)) {
      const spec = specs[role];
      if (spec) resolved[role] = await this.#admit(draft, caller, operation.action, role, spec);
    }
    await this.#recordIntent(draft);
    // Each entry was resolved from the spec of the same role, so the record has the declared shape.
    return operation.run(context, input, resolved as ResolvedResources<R>);
  }

  #context(draft: EventDraft, caller: Caller): OperationContext {
    const { keys, identities, clock, settings, secrets } = this.#deps;
    return {
      caller,
      requestId: draft.requestId,
      keys,
      identities,
      clock,
      settings,
      secrets,
      ...(this.#deps.auditEvents ? { auditEvents: this.#deps.auditEvents } : {}),
      recordKeyVersion: (role, keyVersionId) => draft.recordKeyVersion(role, keyVersionId),
      recordCreatedKey: (keyId, keyVersionId) =>
        draft.addResource({ role: 'created', arn: keyArn(this.scope, keyId), keyId, keyVersionId }),
    };
  }

  /** Resolves one declared resource, authorises the caller on it, and checks its state rule. */
  async #admit(draft: EventDraft, caller: Caller, action: string, role: string, spec: ResourceSpec): Promise<unknown> {
    const { keys, clock } = this.#deps;
    switch (spec.type) {
      case 'key': {
        const key = await keys.resolve(spec.reference);
        await this.#authorizeKey(draft, caller, action, role, key, undefined, spec.encryptionContext);
        assertStateAllows(spec.rule, stateAt(key, clock.now()));
        return key;
      }
      case 'ciphertext': {
        const { keyVersionId, sealed } = decodeCiphertextBlob(spec.blob);
        const { key, aead } = await keys.openVersion(keyVersionId);
        await this.#authorizeKey(draft, caller, action, role, key, keyVersionId, spec.encryptionContext);
        assertStateAllows(spec.rule, stateAt(key, clock.now()));
        const alsoAllowed =
          spec.alsoAsk === undefined || (await this.#mayAlso(draft, caller, spec.alsoAsk, role, key, spec.encryptionContext));
        return { key, keyVersionId, sealed, aead, alsoAllowed };
      }
      case 'alias': {
        const arn = aliasArn(this.scope, spec.aliasName);
        const resource: AuditResource = { role, arn, aliasName: spec.aliasName };
        draft.addResource(resource);
        await this.#authorize(draft, resource, { caller, action, role, resourceArn: arn });
        if (!spec.target) return { aliasName: spec.aliasName, target: undefined, alias: undefined };
        const alias = await keys.getAlias(spec.aliasName);
        const target = alias && (await keys.findKey(alias.keyId));
        if (!alias || !target) throw new KmsError('AliasNotFound');
        await this.#authorizeKey(draft, caller, action, `${role}-target`, target, undefined, undefined);
        return { aliasName: spec.aliasName, target, alias };
      }
      case 'identity': {
        const arn = `acs:ram::${this.scope.accountId}:${spec.entity}/${spec.name}`;
        const resource: AuditResource = { role, arn };
        draft.addResource(resource);
        await this.#authorize(draft, resource, { caller, action, role, resourceArn: arn });
        return undefined;
      }
      case 'collection': {
        const arn = this.#collectionArn(spec);
        const resource: AuditResource = { role, arn };
        draft.addResource(resource);
        await this.#authorize(draft, resource, { caller, action, role, resourceArn: arn });
        return undefined;
      }
    }
  }

  async #authorizeKey(
    draft: EventDraft,
    caller: Caller,
    action: string,
    role: string,
    key: Key,
    keyVersionId: string | undefined,
    encryptionContext: EncryptionContext | undefined,
  ): Promise<void> {
    const arn = keyArn(this.scope, key.keyId);
    // Recorded before the decision, so a denied request names what it was denied on.
    const resource: AuditResource = { role, arn, keyId: key.keyId, ...(keyVersionId === undefined ? {} : { keyVersionId }) };
    draft.addResource(resource);
    await this.#authorize(draft, resource, {
      caller,
      action,
      role,
      resourceArn: arn,
      key,
      ...(encryptionContext === undefined ? {} : { encryptionContext }),
    });
  }

  /**
   * Whether the caller may also run `action` on `key`: asked like any question, but a refusal
   * only answers false (and is not the request's decision in the audit event).
   */
  async #mayAlso(
    draft: EventDraft,
    caller: Caller,
    action: string,
    role: string,
    key: Key,
    encryptionContext: EncryptionContext | undefined,
  ): Promise<boolean> {
    try {
      const verdict = await this.#deps.authorizer.authorize({
        caller,
        action,
        role,
        resourceArn: keyArn(this.scope, key.keyId),
        key,
        ...(encryptionContext === undefined ? {} : { encryptionContext }),
        facts: draft.conditionFacts(this.#deps.clock.now()),
      });
      return verdict?.allowed ?? true;
    } catch (error) {
      if (error instanceof KmsError && error.fault === 'caller') return false;
      throw error;
    }
  }

  /**
   * Asks the authorisation point about one resource (already in the audit event), records its
   * decision there, and refuses when it does not allow.
   */
  async #authorize(draft: EventDraft, resource: AuditResource, question: Omit<AuthorizationRequest, 'facts'>): Promise<void> {
    const verdict = await this.#deps.authorizer.authorize({ ...question, facts: draft.conditionFacts(this.#deps.clock.now()) });
    if (!verdict) return;
    if (verdict.decision) resource.decision = verdict.decision;
    if (!verdict.allowed) throw new KmsError('DeniedByPolicy', verdict.decision?.ramAction ?? question.action);
  }

  #collectionArn(spec: CollectionResource): string {
    if (spec.collection === 'keys') return keyCollectionArn(this.scope);
    if (spec.collection === 'aliases') return aliasCollectionArn(this.scope);
    return ANY_RESOURCE;
  }

  #asCatalogError(thrown: unknown, requestId: string): KmsError {
    if (thrown instanceof KmsError) return thrown;
    this.#deps.logger.error({ err: thrown, requestId }, 'internal failure');
    return new KmsError('Internal');
  }
}

/** Limits on what a caller can make the trail keep of one request (a 250 KiB Action stays 128 characters). */
const MAX_ACTION_LENGTH = 128;
const MAX_USER_AGENT_LENGTH = 256;
const MAX_ACCESS_KEY_ID_LENGTH = 128;
const MAX_PARAMETER_VALUE_LENGTH = 256;
const MAX_PARAMETERS = 32;
const MAX_ERROR_MESSAGE_LENGTH = 256;

/** At most `length` characters, marked when cut. */
function capped(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length)}…`;
}

function cappedIdentity(identity: AuditIdentity): AuditIdentity {
  if (identity.accessKeyId === undefined) return identity;
  return { ...identity, accessKeyId: capped(identity.accessKeyId, MAX_ACCESS_KEY_ID_LENGTH) };
}

/** The audit event of one request, filled in as the request goes. */
class EventDraft {
  readonly requestId: string;
  readonly eventId = randomUUID();
  readonly #facts: RequestFacts;
  readonly #eventTime: number;
  readonly #region: string;
  readonly #started = performance.now();
  readonly #resources: AuditResource[] = [];
  readonly #parameters: AuditedParameter[] = [];
  #action: string | undefined;
  #identity: AuditIdentity = { type: 'anonymous' };
  #result = 'Unknown';
  #error: KmsError | undefined;

  constructor(facts: RequestFacts, eventTime: number, region: string) {
    this.#facts = facts;
    this.requestId = facts.requestId;
    this.#eventTime = eventTime;
    this.#region = region;
  }

  get action(): string | undefined {
    return this.#action;
  }

  nameAction(action: string): void {
    this.#action = capped(action, MAX_ACTION_LENGTH);
  }

  identify(identity: AuditIdentity): void {
    this.#identity = cappedIdentity(identity);
  }

  addResource(resource: AuditResource): void {
    this.#resources.push(resource);
  }

  /** What the request says of itself to the condition keys of access policies. */
  conditionFacts(currentTime: number): RequestConditionFacts {
    return { sourceIp: this.#facts.sourceIp, secureTransport: this.#facts.secureTransport === true, currentTime };
  }

  resolvedKey(role: string): { readonly keyId: string; readonly keyVersionId?: string } | undefined {
    // The last entry of the role: a front end that executes twice asks about its last operation.
    const resource = [...this.#resources].reverse().find((candidate) => candidate.role === role && candidate.keyId !== undefined);
    if (resource?.keyId === undefined) return undefined;
    return { keyId: resource.keyId, ...(resource.keyVersionId === undefined ? {} : { keyVersionId: resource.keyVersionId }) };
  }

  recordKeyVersion(role: string, keyVersionId: string): void {
    const resource = this.#resources.find((candidate) => candidate.role === role);
    if (resource) resource.keyVersionId = keyVersionId;
  }

  recordParameters(parameters: readonly AuditedParameter[]): void {
    this.#parameters.push(...parameters.slice(0, MAX_PARAMETERS - this.#parameters.length));
  }

  succeed(): void {
    this.#result = 'Success';
  }

  /** A job action that found the key changed by another writer first, and left it. */
  skip(): void {
    this.#result = 'Skipped';
  }

  fail(error: KmsError, code: string): void {
    this.#error = error;
    this.#result = code;
  }

  intent(): AuditIntent {
    return {
      eventId: this.eventId,
      eventTime: this.#eventTime,
      source: this.#facts.source,
      requestId: this.requestId,
      action: this.#action ?? '',
      identity: this.#identity,
      resources: this.#resources.map((resource) => ({ ...resource })),
    };
  }

  async finish(digests: KeyedDigest): Promise<AuditEvent> {
    const facts = this.#facts;
    const requestParameters = await this.#auditedParameters(digests);
    return {
      eventId: this.eventId,
      eventTime: this.#eventTime,
      source: facts.source,
      requestId: facts.requestId,
      action: this.#action,
      identity: this.#identity,
      resources: this.#resources,
      result: this.#result,
      ...(this.#error ? { errorKind: this.#error.kind, errorMessage: capped(this.#error.message, MAX_ERROR_MESSAGE_LENGTH) } : {}),
      ...(facts.sourceIp === undefined ? {} : { sourceIp: facts.sourceIp }),
      ...(facts.userAgent === undefined ? {} : { userAgent: capped(facts.userAgent, MAX_USER_AGENT_LENGTH) }),
      durationMs: Math.round((performance.now() - this.#started) * 1000) / 1000,
      eventRW: eventReadWrite(this.#action),
      acsRegion: this.#region,
      ...(requestParameters ? { requestParameters } : {}),
    };
  }

  /**
   * Values capped; bytes to hide replaced by their keyed digest. A failed request keeps only the
   * digests: its values are whatever the caller typed, and a secret pasted into the wrong field
   * (a plaintext as a KeyId) must not reach the trail or the log; the resources it resolved say
   * what it acted on.
   */
  async #auditedParameters(digests: KeyedDigest): Promise<Record<string, string> | undefined> {
    const kept = this.#error ? this.#parameters.filter((parameter) => !('value' in parameter)) : this.#parameters;
    if (kept.length === 0) return undefined;
    const recorded: Record<string, string> = {};
    for (const parameter of kept) {
      const name = capped(parameter.name, MAX_PARAMETER_VALUE_LENGTH);
      recorded[name] =
        'value' in parameter
          ? capped(parameter.value, MAX_PARAMETER_VALUE_LENGTH)
          : `hmac-sha256:${(await digests.digest(parameter.digestOf, parameter.purpose, '')).toString('hex')}`;
    }
    return recorded;
  }
}
