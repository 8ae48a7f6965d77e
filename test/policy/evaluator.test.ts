// The evaluator against the decision table (rows from Alibaba's RAM and KMS pages), and the
// properties any correct evaluation has: adding a Deny never grants, adding an Allow never undoes
// an explicit Deny, and neither the order of statements nor duplicates change a decision.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PolicyEvaluator, type PoliciesInForce } from '../../src/policy/evaluator.js';
import { defaultKeyPolicy } from '../../src/policy/key-policy.js';
import { ramAuthorizationOf } from '../../src/policy/kms-actions.js';
import type { AttachedPolicy } from '../../src/policy/policy-source.js';
import { conditionValuesOf, type RequestConditions } from '../../src/policy/request-conditions.js';
import { ACCOUNT, DECISION_ROWS, KEY_ARN, OTHER_KEY_ARN, USER, type DecisionRow } from './decision-table.js';

const BASE_CONDITIONS: RequestConditions = {
  sourceIp: '192.0.2.1',
  currentTime: Date.parse('2026-01-01T00:00:00Z'),
  secureTransport: true,
  tags: undefined,
  encryptionContext: undefined,
  encryptionAlgorithm: undefined,
};

const attached = (document: string, index: number, prefix = 'policy'): AttachedPolicy => ({
  policyType: 'Custom',
  policyName: `${prefix}-${index}`,
  versionId: 'v1',
  document,
});

function policiesOf(row: DecisionRow): PoliciesInForce {
  return {
    identity: [
      ...(row.identity ?? []).map((text, index) => attached(text, index)),
      ...(row.group ?? []).map((text, index) => attached(text, index, 'group')),
    ],
    keyPolicy: row.keyPolicy ?? defaultKeyPolicy(ACCOUNT),
  };
}

describe('the decision table', () => {
  const evaluator = new PolicyEvaluator();
  for (const row of DECISION_ROWS) {
    it(`${row.name} → ${row.expect} (${row.source})`, () => {
      const decision = evaluator.evaluate(
        {
          principal: row.principal ?? USER,
          actions: row.actions,
          resource: row.resource,
          conditions: conditionValuesOf({ ...BASE_CONDITIONS, ...row.conditions }),
        },
        policiesOf(row),
      );
      assert.equal(decision.effect, row.expect);
      if (row.expect === 'ImplicitDeny') assert.equal(decision.decidedBy, undefined);
      else assert.ok(decision.decidedBy, 'an Allow or explicit Deny names its statement');
      if (row.sid !== undefined) assert.equal(decision.decidedBy?.sid, row.sid);
    });
  }
});

describe('the evaluator names the deciding policy', () => {
  it('names the identity policy and Sid of an explicit Deny, and the key policy as `default`', () => {
    const evaluator = new PolicyEvaluator();
    const deny = JSON.stringify({ Version: '1', Statement: [{ Sid: 'stop', Effect: 'Deny', Action: 'kms:*', Resource: '*' }] });
    const request = { principal: USER, actions: ['kms:Encrypt'], resource: KEY_ARN, conditions: conditionValuesOf(BASE_CONDITIONS) };
    const identityDecision = evaluator.evaluate(request, { identity: [attached(deny, 7)], keyPolicy: undefined });
    assert.deepEqual(identityDecision, {
      effect: 'ExplicitDeny',
      decidedBy: { source: 'identity', policyName: 'policy-7', policyType: 'Custom', sid: 'stop' },
    });
    const keyDeny = JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Deny', Principal: { RAM: [USER] }, Action: 'kms:*', Resource: '*' }],
    });
    const keyDecision = evaluator.evaluate(request, { identity: [], keyPolicy: keyDeny });
    assert.deepEqual(keyDecision, {
      effect: 'ExplicitDeny',
      decidedBy: { source: 'key', policyName: 'default', policyType: undefined, sid: undefined },
    });
  });
});

describe('compiled documents are cached by their text, within a bound', () => {
  it('keeps at most cacheSize documents and still decides for an evicted one', () => {
    const evaluator = new PolicyEvaluator({ cacheSize: 3 });
    const request = { principal: USER, actions: ['kms:Encrypt'], resource: KEY_ARN, conditions: conditionValuesOf(BASE_CONDITIONS) };
    const documents = Array.from({ length: 5 }, (_, index) =>
      JSON.stringify({ Version: '1', Statement: [{ Sid: `s${index}`, Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] }),
    );
    for (const [index, text] of documents.entries()) {
      assert.equal(evaluator.evaluate(request, { identity: [attached(text, index)], keyPolicy: undefined }).decidedBy?.sid, `s${index}`);
    }
    assert.equal(evaluator.cachedDocuments, 3);
    // An edited policy is new text, so its new statements decide at once.
    const edited = JSON.stringify({ Version: '1', Statement: [{ Sid: 'edited', Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*' }] });
    assert.equal(evaluator.evaluate(request, { identity: [attached(edited, 0)], keyPolicy: undefined }).effect, 'ExplicitDeny');
    assert.equal(evaluator.evaluate(request, { identity: [attached(documents[0] ?? '', 0)], keyPolicy: undefined }).effect, 'Allow');
  });
});

describe('the KMS action table', () => {
  it('asks ReEncrypt as ReEncryptFrom on the source and ReEncryptTo on the destination', () => {
    assert.deepEqual(ramAuthorizationOf('ReEncrypt', 'source').ramActions, ['kms:ReEncryptFrom', 'kms:ReEncrypt']);
    assert.deepEqual(ramAuthorizationOf('ReEncrypt', 'destination').ramActions, ['kms:ReEncryptTo', 'kms:ReEncrypt']);
  });

  it('asks kms:<ApiName> for other actions, alias and key alike, and nothing for DescribeRegions', () => {
    assert.deepEqual(ramAuthorizationOf('CreateAlias', 'alias').ramActions, ['kms:CreateAlias']);
    assert.deepEqual(ramAuthorizationOf('CreateAlias', 'key').ramActions, ['kms:CreateAlias']);
    assert.deepEqual(ramAuthorizationOf('ListKeys', 'keys').ramActions, ['kms:ListKeys']);
    assert.deepEqual(ramAuthorizationOf('DescribeRegions', 'service').ramActions, []);
    assert.deepEqual(ramAuthorizationOf('ram:CreateUser', 'service').ramActions, ['ram:CreateUser']);
  });

  it('carries tags, encryption context and algorithm only for the actions Alibaba lists', () => {
    assert.deepEqual(ramAuthorizationOf('Encrypt', 'key'), { ramActions: ['kms:Encrypt'], carriesTags: true, cryptographic: true });
    assert.deepEqual(ramAuthorizationOf('DescribeKey', 'key'), {
      ramActions: ['kms:DescribeKey'],
      carriesTags: true,
      cryptographic: false,
    });
    assert.deepEqual(ramAuthorizationOf('TagResource', 'key'), {
      ramActions: ['kms:TagResource'],
      carriesTags: false,
      cryptographic: false,
    });
  });
});

// Property tests over a small universe, so that statements and requests meet often.
const ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'ram:CreateUser'];
const ACTION_PATTERNS = [...ACTIONS, 'kms:*', '*', 'kms:De*', 'KMS:encrypt', 'kms:?ncrypt'];
const RESOURCES = [KEY_ARN, OTHER_KEY_ARN, '*'];
const RESOURCE_PATTERNS = ['*', KEY_ARN, `acs:kms:*:${ACCOUNT}:key/*`, OTHER_KEY_ARN];
const ADDRESSES = ['10.0.0.1', '192.0.2.1', undefined];

const conditionArbitrary = fc.oneof(
  fc.constant(undefined),
  fc.record({ IpAddress: fc.constant({ 'acs:SourceIp': '10.0.0.0/8' }) }),
  fc.record({ NotIpAddress: fc.constant({ 'acs:SourceIp': '10.0.0.0/8' }) }),
  fc.record({ StringEquals: fc.constant({ 'kms:tag/team': 'dev' }) }),
  fc.record({ StringNotEquals: fc.constant({ 'kms:tag/team': 'dev' }) }),
);

const statementArbitrary = (effect: fc.Arbitrary<'Allow' | 'Deny'>) =>
  fc.record({
    Sid: fc.constantFrom('a', 'b', 'c'),
    Effect: effect,
    action: fc.tuple(fc.boolean(), fc.subarray(ACTION_PATTERNS, { minLength: 1, maxLength: 3 })),
    Resource: fc.subarray(RESOURCE_PATTERNS, { minLength: 1, maxLength: 2 }),
    Condition: conditionArbitrary,
  });

type GeneratedStatement = {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  action: [boolean, string[]];
  Resource: string[];
  Condition: object | undefined;
};

const toJson = (statement: GeneratedStatement): object => ({
  Sid: statement.Sid,
  Effect: statement.Effect,
  [statement.action[0] ? 'NotAction' : 'Action']: statement.action[1],
  Resource: statement.Resource,
  ...(statement.Condition ? { Condition: statement.Condition } : {}),
});

const policyArbitrary = fc.array(statementArbitrary(fc.constantFrom('Allow', 'Deny')), { minLength: 1, maxLength: 4 });
const requestArbitrary = fc.record({
  action: fc.constantFrom(...ACTIONS),
  resource: fc.constantFrom(...RESOURCES),
  sourceIp: fc.constantFrom(...ADDRESSES),
  team: fc.constantFrom('dev', 'prod', undefined),
});

type GeneratedRequest = { action: string; resource: string; sourceIp: string | undefined; team: string | undefined };

function decide(evaluator: PolicyEvaluator, policies: readonly GeneratedStatement[][], request: GeneratedRequest) {
  return evaluator.evaluate(
    {
      principal: USER,
      actions: [request.action],
      resource: request.resource,
      conditions: conditionValuesOf({
        ...BASE_CONDITIONS,
        sourceIp: request.sourceIp,
        tags: request.team === undefined ? [] : [{ tagKey: 'team', tagValue: request.team }],
      }),
    },
    {
      identity: policies.map((statements, index) => attached(JSON.stringify({ Version: '1', Statement: statements.map(toJson) }), index)),
      keyPolicy: undefined,
    },
  ).effect;
}

describe('properties of the evaluation', () => {
  const evaluator = new PolicyEvaluator({ cacheSize: 64 });

  it('adding a Deny never grants', () => {
    fc.assert(
      fc.property(
        fc.array(policyArbitrary, { minLength: 0, maxLength: 3 }),
        statementArbitrary(fc.constant('Deny')),
        requestArbitrary,
        (policies, deny, request) => {
          const before = decide(evaluator, policies, request);
          const after = decide(evaluator, [...policies, [deny]], request);
          if (after === 'Allow') assert.equal(before, 'Allow');
          if (before !== 'Allow') assert.notEqual(after, 'Allow');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('adding an Allow never undoes an explicit Deny', () => {
    fc.assert(
      fc.property(
        fc.array(policyArbitrary, { minLength: 1, maxLength: 3 }),
        statementArbitrary(fc.constant('Allow')),
        requestArbitrary,
        (policies, allow, request) => {
          if (decide(evaluator, policies, request) !== 'ExplicitDeny') return;
          assert.equal(decide(evaluator, [...policies, [allow]], request), 'ExplicitDeny');
          assert.equal(decide(evaluator, [[allow], ...policies], request), 'ExplicitDeny');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('statement order, policy order and duplicates do not matter', () => {
    fc.assert(
      fc.property(fc.array(policyArbitrary, { minLength: 1, maxLength: 3 }), requestArbitrary, fc.nat(), (policies, request, seed) => {
        const expected = decide(evaluator, policies, request);
        const reversed = [...policies].reverse().map((statements) => [...statements].reverse());
        const all = policies.flat();
        const shuffledOne = [
          [...all].sort((a, b) => ((JSON.stringify(a).length * 31 + seed) % 7) - ((JSON.stringify(b).length * 17 + seed) % 7)),
        ];
        const duplicated = [...policies, ...policies].map((statements) => [...statements, ...statements]);
        assert.equal(decide(evaluator, reversed, request), expected);
        assert.equal(decide(evaluator, shuffledOne, request), expected);
        assert.equal(decide(evaluator, duplicated, request), expected);
      }),
      { numRuns: 400 },
    );
  });
});
