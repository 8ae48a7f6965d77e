import { compileCondition, type CompiledCondition, type ConditionValues } from './conditions.js';
import { parseKeyPolicyDocument, parsePolicyDocument, type Effect, type PolicyDocument, type PolicyStatement } from './document.js';
import type { AttachedPolicy } from './policy-source.js';
import { wildcardMatcher, type WildcardMatcher } from './wildcard.js';

/** One question: may `principal` run the RAM action on `resource`, given the request's condition keys? */
export interface EvaluationRequest {
  /** The caller's RAM Arn (`acs:ram::<account>:user/<name>`). */
  readonly principal: string;
  /**
   * The RAM action (`kms:Encrypt`), and any other name the same request goes by in policies
   * (ReEncrypt's source is `kms:ReEncryptFrom` and `kms:ReEncrypt`): a statement's Action
   * covers the request when it matches any of the names, its NotAction when it matches none.
   */
  readonly actions: readonly string[];
  /** The resource's Arn, or `*` for an action on no resource. */
  readonly resource: string;
  readonly conditions: ConditionValues;
}

/** The policies in force for one question: the caller's identity policies and the key's key policy. */
export interface PoliciesInForce {
  readonly identity: readonly AttachedPolicy[];
  /** The key policy's text, when the resource is a key. */
  readonly keyPolicy: string | undefined;
}

export type DecisionEffect = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** Which statement decided: for the audit trail only, never for the caller. */
export interface DecidingStatement {
  /** `identity` (a RAM policy of the user or one of its groups) or `key` (the key policy). */
  readonly source: 'identity' | 'key';
  /** The identity policy's name, or `default` for the key policy (its only name). */
  readonly policyName: string;
  readonly policyType: 'System' | 'Custom' | undefined;
  readonly sid: string | undefined;
}

export interface Decision {
  readonly effect: DecisionEffect;
  /** The statement that allowed or explicitly denied; undefined for an implicit deny. */
  readonly decidedBy: DecidingStatement | undefined;
}

/** The one name a key policy has (SetKeyPolicy / GetKeyPolicy `PolicyName`). */
export const KEY_POLICY_NAME = 'default';

interface CompiledStatement {
  readonly effect: Effect;
  readonly sid: string | undefined;
  readonly matchesActions: (lowerCaseActions: readonly string[]) => boolean;
  readonly matchesResource: WildcardMatcher;
  /** Undefined in an identity policy, whose statements apply to their own principal. */
  readonly principals: ReadonlySet<string> | undefined;
  readonly conditions: readonly CompiledCondition[];
}

type CompiledPolicy = readonly CompiledStatement[];

export interface EvaluatorOptions {
  /** How many compiled documents to keep (least recently used ones go first). */
  readonly cacheSize?: number;
}

/**
 * Evaluates RAM identity policies and a key policy by Alibaba's same-account rule: an explicit
 * Deny in either wins; otherwise an Allow in either suffices; otherwise the request is denied
 * implicitly. Documents are compiled once and kept by their text, in a bounded cache, so an
 * edited policy (new text) is compiled afresh and an unchanged one costs a map lookup.
 *
 * Stored documents were validated on write: one that no longer reads throws its
 * `PolicyDocumentError`, a fault of the server's, never a decision.
 */
export class PolicyEvaluator {
  readonly #cache = new Map<string, CompiledPolicy>();
  readonly #cacheSize: number;

  constructor(options: EvaluatorOptions = {}) {
    this.#cacheSize = options.cacheSize ?? 1024;
  }

  evaluate(request: EvaluationRequest, policies: PoliciesInForce): Decision {
    const actions = request.actions.map((action) => action.toLowerCase());
    let allow: DecidingStatement | undefined;
    const candidates: [CompiledPolicy, Omit<DecidingStatement, 'sid'>][] = policies.identity.map((policy) => [
      this.#compiled('identity', policy.document),
      { source: 'identity', policyName: policy.policyName, policyType: policy.policyType },
    ]);
    if (policies.keyPolicy !== undefined) {
      candidates.push([this.#compiled('key', policies.keyPolicy), { source: 'key', policyName: KEY_POLICY_NAME, policyType: undefined }]);
    }
    for (const [statements, origin] of candidates) {
      for (const statement of statements) {
        if (!applies(statement, request, actions)) continue;
        if (statement.effect === 'Deny') return { effect: 'ExplicitDeny', decidedBy: { ...origin, sid: statement.sid } };
        allow ??= { ...origin, sid: statement.sid };
      }
    }
    return allow ? { effect: 'Allow', decidedBy: allow } : { effect: 'ImplicitDeny', decidedBy: undefined };
  }

  /** How many compiled documents the cache holds (for tests of its bound). */
  get cachedDocuments(): number {
    return this.#cache.size;
  }

  #compiled(kind: 'identity' | 'key', text: string): CompiledPolicy {
    const cacheKey = `${kind}\u0000${text}`;
    const cached = this.#cache.get(cacheKey);
    if (cached) {
      // Refreshed as the most recently used: a Map iterates in insertion order.
      this.#cache.delete(cacheKey);
      this.#cache.set(cacheKey, cached);
      return cached;
    }
    const compiled = compilePolicy(kind === 'key' ? parseKeyPolicyDocument(text) : parsePolicyDocument(text));
    this.#cache.set(cacheKey, compiled);
    if (this.#cache.size > this.#cacheSize) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    return compiled;
  }
}

function applies(statement: CompiledStatement, request: EvaluationRequest, lowerCaseActions: readonly string[]): boolean {
  if (statement.principals && !statement.principals.has(request.principal)) return false;
  if (!statement.matchesActions(lowerCaseActions)) return false;
  if (!statement.matchesResource(request.resource)) return false;
  return statement.conditions.every((condition) => condition(request.conditions));
}

export function compilePolicy(document: PolicyDocument): CompiledPolicy {
  return document.statements.map(compileStatement);
}

function compileStatement(statement: PolicyStatement): CompiledStatement {
  const actionMatchers = statement.actions.patterns.map((pattern) => wildcardMatcher(pattern.toLowerCase(), { ignoreCase: true }));
  const anyAction = (actions: readonly string[]) => actions.some((action) => actionMatchers.some((matches) => matches(action)));
  const resourceMatchers = statement.resources.map((pattern) => wildcardMatcher(pattern, { ignoreCase: false }));
  return {
    effect: statement.effect,
    sid: statement.sid,
    matchesActions: statement.actions.negated ? (actions) => !anyAction(actions) : anyAction,
    matchesResource: (resource) => resourceMatchers.some((matches) => matches(resource)),
    principals: statement.principals && new Set(statement.principals),
    conditions: statement.conditions.map(compileCondition),
  };
}
