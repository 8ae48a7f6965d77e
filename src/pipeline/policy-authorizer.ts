import type { ArnScope } from '../domain/arn.js';
import type { AuditDecision } from '../domain/audit-event.js';
import { KmsError } from '../domain/errors.js';
import { ADMIN_PRINCIPAL, SYSTEM_PRINCIPAL } from '../domain/principals.js';
import { PolicyEvaluator, type Decision } from '../policy/evaluator.js';
import { defaultKeyPolicy } from '../policy/key-policy.js';
import { ramAuthorizationOf, SYMMETRIC_ENCRYPTION_ALGORITHM } from '../policy/kms-actions.js';
import type { PolicySource } from '../policy/policy-source.js';
import { conditionValuesOf } from '../policy/request-conditions.js';
import type { AuthorizationRequest, AuthorizationVerdict, Authorizer } from './authorizer.js';

export interface PolicyAuthorizerOptions {
  /** Where a RAM user's identity policies are read, on every request. */
  readonly policies: PolicySource;
  readonly scope: ArnScope;
  /** The evaluator and its cache of compiled documents; a fresh one when absent. */
  readonly evaluator?: PolicyEvaluator;
}

/**
 * The authorisation point with RAM policies. The administrator (Alibaba's account owner) may do
 * everything and cannot be locked out; Arca's own jobs too. A RAM user of the account
 * (`acs:ram::<account>:user/<name>`) is evaluated against its identity policies (its own and its
 * groups', read afresh on every request) and, on a key, the key's key policy, by Alibaba's
 * same-account rule. Any other principal may do nothing, as before any RAM user existed.
 */
export class PolicyAuthorizer implements Authorizer {
  readonly #policies: PolicySource;
  readonly #evaluator: PolicyEvaluator;
  readonly #userPrefix: string;
  readonly #accountId: string;

  constructor(options: PolicyAuthorizerOptions) {
    this.#policies = options.policies;
    this.#evaluator = options.evaluator ?? new PolicyEvaluator();
    this.#accountId = options.scope.accountId;
    this.#userPrefix = `acs:ram::${options.scope.accountId}:user/`;
  }

  async authorize(request: AuthorizationRequest): Promise<AuthorizationVerdict | void> {
    const { principal } = request.caller;
    if (principal === ADMIN_PRINCIPAL || principal === SYSTEM_PRINCIPAL) return;
    if (!principal.startsWith(this.#userPrefix)) throw new KmsError('AccessDenied');
    const { ramActions, carriesTags, cryptographic } = ramAuthorizationOf(request.action, request.role);
    const ramAction = ramActions[0];
    if (ramAction === undefined) return { allowed: true, decision: { effect: 'Allow', ramAction: undefined } };
    const identity = await this.#policies.policiesOfUser(principal);
    const { key, facts } = request;
    const decision = this.#evaluator.evaluate(
      {
        principal,
        actions: ramActions,
        resource: request.resourceArn,
        conditions: conditionValuesOf({
          sourceIp: facts.sourceIp,
          currentTime: facts.currentTime,
          secureTransport: facts.secureTransport,
          tags: carriesTags ? key?.tags : undefined,
          encryptionContext: cryptographic ? request.encryptionContext : undefined,
          encryptionAlgorithm: cryptographic ? SYMMETRIC_ENCRYPTION_ALGORITHM : undefined,
        }),
      },
      { identity, keyPolicy: key ? (key.keyPolicy ?? defaultKeyPolicy(this.#accountId)) : undefined },
    );
    return { allowed: decision.effect === 'Allow', decision: auditDecisionOf(decision, ramAction) };
  }
}

function auditDecisionOf(decision: Decision, ramAction: string): AuditDecision {
  const decidedBy = decision.decidedBy;
  if (!decidedBy) return { effect: decision.effect, ramAction };
  return {
    effect: decision.effect,
    ramAction,
    policySource: decidedBy.source,
    policyName: decidedBy.policyName,
    ...(decidedBy.policyType === undefined ? {} : { policyType: decidedBy.policyType }),
    ...(decidedBy.sid === undefined ? {} : { sid: decidedBy.sid }),
  };
}
