// The decision table: rows of (identity policies, group policies, key policy, principal, request)
// and the decision Alibaba's rules give, each seeded from an example on Alibaba's RAM and KMS
// pages (the URL beside it; masked ids such as 116.62.XX.XX filled in with concrete values).
// Shared by the evaluator test and the end-to-end tests that replay rows as real requests.
import type { DecisionEffect } from '../../src/policy/evaluator.js';
import type { RequestConditions } from '../../src/policy/request-conditions.js';

export const ACCOUNT = '1234567890123456';
export const REGION = 'cn-hangzhou';
export const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
export const OTHER_KEY_ID = '0987dcba-09ba-87dc-65fe-0987654321ba';
export const KEY_ARN = `acs:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;
export const OTHER_KEY_ARN = `acs:kms:${REGION}:${ACCOUNT}:key/${OTHER_KEY_ID}`;
export const USER = `acs:ram::${ACCOUNT}:user/ramuser1`;
export const OTHER_USER = `acs:ram::${ACCOUNT}:user/ramuser2`;

export interface DecisionRow {
  readonly name: string;
  /** Where the example comes from. */
  readonly source: string;
  /** Identity policies attached to the user. */
  readonly identity?: readonly string[];
  /** Identity policies attached to a group the user belongs to. */
  readonly group?: readonly string[];
  /** The key's key policy; the default key policy when absent. */
  readonly keyPolicy?: string;
  /** The caller; `USER` when absent. */
  readonly principal?: string;
  /** The RAM action names of the request (ReEncrypt's source: `kms:ReEncryptFrom` and `kms:ReEncrypt`). */
  readonly actions: readonly string[];
  readonly resource: string;
  readonly conditions?: Partial<RequestConditions>;
  readonly expect: DecisionEffect;
  /** The Sid of the deciding statement, when the row pins it. */
  readonly sid?: string;
}

const doc = (...statements: readonly object[]) => JSON.stringify({ Version: '1', Statement: statements });

const AUTHORIZATION_PAGE =
  'https://www.alibabacloud.com/help/en/kms/key-management-service/security-and-compliance/authorization-information';
const CONDITION_KEY_PAGE = 'https://www.alibabacloud.com/help/zh/kms/key-management-service/security-and-compliance/condition-key';
const KEY_POLICY_OVERVIEW =
  'https://www.alibabacloud.com/help/en/kms/key-management-service/security-and-compliance/overview-of-key-policies';
const GET_KEY_POLICY =
  'https://www.alibabacloud.com/help/en/kms/key-management-service/developer-reference/api-kms-2016-01-20-getkeypolicy';
const TIME_PAGE = 'https://alibabacloud.com/help/en/ram/user-guide/access-alibaba-cloud-in-a-specified-period-of-time';
const POLICY_ELEMENTS = 'https://www.alibabacloud.com/help/en/ram/policy-elements';
const CONDITIONAL_OPERATORS = 'https://www.alibabacloud.com/help/en/ram/conditional-operator';
const POLICY_SYNTAX = 'https://www.alibabacloud.com/help/en/ram/policy-structure-and-syntax';
const RAM_FOR_KMS = 'https://www.alibabacloud.com/help/doc-detail/28953.htm';

/** The authorisation page's example: encrypt and decrypt with one key, nothing else. */
const ENCRYPT_DECRYPT_ONE_KEY = doc({
  Effect: 'Allow',
  Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
  Resource: `acs:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`,
});

/** The condition-key page's RAM example: GenerateDataKey only from 116.62.XX.XX/24. */
const DATA_KEYS_FROM_ONE_NETWORK = doc({
  Action: 'kms:GenerateDataKey',
  Effect: 'Allow',
  Resource: '*',
  Condition: { IpAddress: { 'acs:SourceIp': '116.62.10.0/24' } },
});

/** The condition-key page's key policy example: only ramuser1, only from 203.0.XX.XX. */
const KEY_POLICY_ONE_USER_ONE_ADDRESS = doc({
  Sid: 'kms policy',
  Effect: 'Allow',
  Action: 'kms:*',
  Principal: { RAM: [USER] },
  Resource: '*',
  Condition: { IpAddress: { 'acs:SourceIp': ['203.0.113.10'] } },
});

/** The condition-key page's kms:EncryptionAlgorithm example (a key policy Deny). */
const ONLY_SYMMETRIC_DEFAULT_SID = 'Allow only one encryption algorithm with this asymmetric KMS key';
const KEY_POLICY_ONLY_SYMMETRIC_DEFAULT = doc({
  Sid: ONLY_SYMMETRIC_DEFAULT_SID,
  Effect: 'Deny',
  Principal: { RAM: [USER] },
  Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt'],
  Resource: '*',
  Condition: { StringNotEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } },
});

const ALLOW_ALL_KMS = doc({ Sid: 'all of kms', Effect: 'Allow', Action: 'kms:*', Resource: '*' });

/** Alibaba's default key policy (GetKeyPolicy reference), for this account. */
const DEFAULT_KEY_POLICY = doc({
  Action: ['kms:*'],
  Effect: 'Allow',
  Principal: { RAM: [`acs:ram::${ACCOUNT}:*`] },
  Resource: ['*'],
  Sid: 'kms default key policy',
});

export const DECISION_ROWS: readonly DecisionRow[] = [
  // The authorisation page's least-privilege example.
  {
    name: 'one-key policy: Encrypt on the key',
    source: AUTHORIZATION_PAGE,
    identity: [ENCRYPT_DECRYPT_ONE_KEY],
    actions: ['kms:Encrypt'],
    resource: KEY_ARN,
    expect: 'Allow',
  },
  {
    name: 'one-key policy: Decrypt on the key',
    source: AUTHORIZATION_PAGE,
    identity: [ENCRYPT_DECRYPT_ONE_KEY],
    actions: ['kms:Decrypt'],
    resource: KEY_ARN,
    expect: 'Allow',
  },
  {
    name: 'one-key policy: action names ignore case',
    source: POLICY_ELEMENTS,
    identity: [ENCRYPT_DECRYPT_ONE_KEY],
    actions: ['KMS:encrypt'],
    resource: KEY_ARN,
    expect: 'Allow',
  },
  {
    name: 'one-key policy: Encrypt on another key',
    source: AUTHORIZATION_PAGE,
    identity: [ENCRYPT_DECRYPT_ONE_KEY],
    actions: ['kms:Encrypt'],
    resource: OTHER_KEY_ARN,
    expect: 'ImplicitDeny',
  },
  {
    name: 'one-key policy: ScheduleKeyDeletion',
    source: AUTHORIZATION_PAGE,
    identity: [ENCRYPT_DECRYPT_ONE_KEY],
    actions: ['kms:ScheduleKeyDeletion'],
    resource: KEY_ARN,
    expect: 'ImplicitDeny',
  },
  {
    name: 'one-key policy: resource Arns keep their case',
    source: POLICY_SYNTAX,
    identity: [ENCRYPT_DECRYPT_ONE_KEY],
    actions: ['kms:Encrypt'],
    resource: KEY_ARN.toUpperCase().replace('ACS:KMS', 'acs:kms'),
    expect: 'ImplicitDeny',
  },
  { name: 'no policy at all: default deny', source: POLICY_ELEMENTS, actions: ['kms:Encrypt'], resource: KEY_ARN, expect: 'ImplicitDeny' },

  // The condition-key page: acs:SourceIp with IpAddress.
  {
    name: 'data keys from 116.62.10.0/24: inside',
    source: CONDITION_KEY_PAGE,
    identity: [DATA_KEYS_FROM_ONE_NETWORK],
    actions: ['kms:GenerateDataKey'],
    resource: KEY_ARN,
    conditions: { sourceIp: '116.62.10.77' },
    expect: 'Allow',
  },
  {
    name: 'data keys from 116.62.10.0/24: outside',
    source: CONDITION_KEY_PAGE,
    identity: [DATA_KEYS_FROM_ONE_NETWORK],
    actions: ['kms:GenerateDataKey'],
    resource: KEY_ARN,
    conditions: { sourceIp: '116.62.11.1' },
    expect: 'ImplicitDeny',
  },
  {
    name: 'data keys from 116.62.10.0/24: no address (positive operator false)',
    source: CONDITION_KEY_PAGE,
    identity: [DATA_KEYS_FROM_ONE_NETWORK],
    actions: ['kms:GenerateDataKey'],
    resource: KEY_ARN,
    conditions: { sourceIp: undefined },
    expect: 'ImplicitDeny',
  },
  {
    name: 'data keys from 116.62.10.0/24: an IPv4-mapped IPv6 peer inside',
    source: CONDITION_KEY_PAGE,
    identity: [DATA_KEYS_FROM_ONE_NETWORK],
    actions: ['kms:GenerateDataKey'],
    resource: KEY_ARN,
    conditions: { sourceIp: '::ffff:116.62.10.5' },
    expect: 'Allow',
  },

  // The condition-key page's key policy: the key policy alone suffices in the same account.
  {
    name: 'key policy for ramuser1 at 203.0.113.10: that user there',
    source: CONDITION_KEY_PAGE,
    keyPolicy: KEY_POLICY_ONE_USER_ONE_ADDRESS,
    actions: ['kms:Encrypt'],
    resource: KEY_ARN,
    conditions: { sourceIp: '203.0.113.10' },
    expect: 'Allow',
    sid: 'kms policy',
  },
  {
    name: 'key policy for ramuser1 at 203.0.113.10: another user',
    source: CONDITION_KEY_PAGE,
    principal: OTHER_USER,
    keyPolicy: KEY_POLICY_ONE_USER_ONE_ADDRESS,
    actions: ['kms:Encrypt'],
    resource: KEY_ARN,
    conditions: { sourceIp: '203.0.113.10' },
    expect: 'ImplicitDeny',
  },
  {
    name: 'key policy for ramuser1 at 203.0.113.10: another address',
    source: CONDITION_KEY_PAGE,
    keyPolicy: KEY_POLICY_ONE_USER_ONE_ADDRESS,
    actions: ['kms:Encrypt'],
    resource: KEY_ARN,
    conditions: { sourceIp: '203.0.113.11' },
    expect: 'ImplicitDeny',
  },

  // The condition-key page: kms:EncryptionAlgorithm, a key policy Deny with a negated operator.
  {
    name: 'only SYMMETRIC_DEFAULT: Encrypt with it',
    source: CONDITION_KEY_PAGE,
    identity: [ALLOW_ALL_KMS],
    keyPolicy: KEY_POLICY_ONLY_SYMMETRIC_DEFAULT,
    actions: ['kms:Encrypt'],
    resource: KEY_ARN,
    conditions: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
    expect: 'Allow',
    sid: 'all of kms',
  },
  {
    name: 'only SYMMETRIC_DEFAULT: Encrypt with RSAES_OAEP_SHA_256',
    source: CONDITION_KEY_PAGE,
    identity: [ALLOW_ALL_KMS],
    keyPolicy: KEY_POLICY_ONLY_SYMMETRIC_DEFAULT,
    actions: ['kms:Encrypt'],
    resource: KEY_ARN,
    conditions: { encryptionAlgorithm: 'RSAES_OAEP_SHA_256' },
    expect: 'ExplicitDeny',
    sid: ONLY_SYMMETRIC_DEFAULT_SID,
  },
  {
    name: 'only SYMMETRIC_DEFAULT: ReEncrypt from the key with RSAES_OAEP_SHA_256',
    source: CONDITION_KEY_PAGE,
    identity: [ALLOW_ALL_KMS],
    keyPolicy: KEY_POLICY_ONLY_SYMMETRIC_DEFAULT,
    actions: ['kms:ReEncryptFrom', 'kms:ReEncrypt'],
    resource: KEY_ARN,
    conditions: { encryptionAlgorithm: 'RSAES_OAEP_SHA_256' },
    expect: 'ExplicitDeny',
  },
  {
    name: 'only SYMMETRIC_DEFAULT: Encrypt carrying no algorithm (negated operator true)',
    source: CONDITION_KEY_PAGE,
    identity: [ALLOW_ALL_KMS],
    keyPolicy: KEY_POLICY_ONLY_SYMMETRIC_DEFAULT,
    actions: ['kms:Encrypt'],
    resource: KEY_ARN,
    conditions: { encryptionAlgorithm: undefined },
    expect: 'ExplicitDeny',
  },
  {
    name: 'only SYMMETRIC_DEFAULT: DescribeKey is not in the Deny',
    source: CONDITION_KEY_PAGE,
    identity: [ALLOW_ALL_KMS],
    keyPolicy: KEY_POLICY_ONLY_SYMMETRIC_DEFAULT,
    actions: ['kms:DescribeKey'],
    resource: KEY_ARN,
    expect: 'Allow',
  },

  // The RAM time example: DateLessThan on acs:CurrentTime (17:00 at +08:00 is 09:00 UTC).
  ...(() => {
    const beforeFive = doc({
      Action: 'ecs:*',
      Effect: 'Allow',
      Resource: '*',
      Condition: { DateLessThan: { 'acs:CurrentTime': '2019-08-12T17:00:00+08:00' } },
    });
    return [
      {
        name: 'until 17:00 +08:00: one second before',
        source: TIME_PAGE,
        identity: [beforeFive],
        actions: ['ecs:DescribeInstances'],
        resource: '*',
        conditions: { currentTime: Date.parse('2019-08-12T08:59:59Z') },
        expect: 'Allow',
      },
      {
        name: 'until 17:00 +08:00: at 17:00',
        source: TIME_PAGE,
        identity: [beforeFive],
        actions: ['ecs:DescribeInstances'],
        resource: '*',
        conditions: { currentTime: Date.parse('2019-08-12T09:00:00Z') },
        expect: 'ImplicitDeny',
      },
      {
        name: 'until 17:00 +08:00: another service',
        source: TIME_PAGE,
        identity: [beforeFive],
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        conditions: { currentTime: Date.parse('2019-08-12T08:00:00Z') },
        expect: 'ImplicitDeny',
      },
    ] satisfies DecisionRow[];
  })(),

  // RAM policy elements: NotAction, and Deny over Allow.
  ...(() => {
    const allButRam = doc({ Effect: 'Allow', NotAction: 'ram:*', Resource: '*' });
    const allowThenDeny = [ALLOW_ALL_KMS, doc({ Sid: 'no decrypt', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' })];
    return [
      {
        name: 'everything but RAM: a KMS action',
        source: POLICY_ELEMENTS,
        identity: [allButRam],
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        expect: 'Allow',
      },
      {
        name: 'everything but RAM: a RAM action',
        source: POLICY_ELEMENTS,
        identity: [allButRam],
        actions: ['ram:CreateUser'],
        resource: '*',
        expect: 'ImplicitDeny',
      },
      {
        name: 'Deny over Allow: the denied action',
        source: POLICY_ELEMENTS,
        identity: allowThenDeny,
        actions: ['kms:Decrypt'],
        resource: KEY_ARN,
        expect: 'ExplicitDeny',
        sid: 'no decrypt',
      },
      {
        name: 'Deny over Allow: another action',
        source: POLICY_ELEMENTS,
        identity: allowThenDeny,
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        expect: 'Allow',
      },
    ] satisfies DecisionRow[];
  })(),

  // RAM's conditional operators: StringEquals on a tag (acs:ResourceTag in RAM's example, which
  // Arca's requests never carry; kms:tag/<TagKey> as the KMS condition-key page names the key's tags).
  ...(() => {
    const ramExample = doc({
      Effect: 'Allow',
      Action: 'ecs:*',
      Resource: '*',
      Condition: { StringEquals: { 'acs:ResourceTag/team': ['dev'] } },
    });
    const onTeamDev = doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'kms:tag/team': ['dev'] } } });
    const devTag = [{ tagKey: 'team', tagValue: 'dev' }];
    return [
      {
        name: 'acs:ResourceTag: never carried, so the Allow does not apply',
        source: CONDITIONAL_OPERATORS,
        identity: [ramExample],
        actions: ['ecs:StartInstance'],
        resource: '*',
        conditions: { tags: devTag },
        expect: 'ImplicitDeny',
      },
      {
        name: 'kms:tag/team = dev: a dev key',
        source: CONDITION_KEY_PAGE,
        identity: [onTeamDev],
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        conditions: { tags: devTag },
        expect: 'Allow',
      },
      {
        name: 'kms:tag/team = dev: tag keys ignore case',
        source: CONDITION_KEY_PAGE,
        identity: [onTeamDev],
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        conditions: { tags: [{ tagKey: 'Team', tagValue: 'dev' }] },
        expect: 'Allow',
      },
      {
        name: 'kms:tag/team = dev: a prod key',
        source: CONDITION_KEY_PAGE,
        identity: [onTeamDev],
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        conditions: { tags: [{ tagKey: 'team', tagValue: 'prod' }] },
        expect: 'ImplicitDeny',
      },
      {
        name: 'kms:tag/team = dev: an untagged key',
        source: CONDITION_KEY_PAGE,
        identity: [onTeamDev],
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        conditions: { tags: [] },
        expect: 'ImplicitDeny',
      },
    ] satisfies DecisionRow[];
  })(),

  // RAM's conditional operators: StringLike with the documented wildcards.
  ...(() => {
    const likeProject = doc({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringLike: { 'kms:EncryptionContext:project': 'alpha-*' } },
    });
    const oneCharacter = doc({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringLike: { 'kms:EncryptionContext:env': 'dev?' } },
    });
    return [
      {
        name: 'StringLike alpha-*: alpha-web',
        source: CONDITIONAL_OPERATORS,
        identity: [likeProject],
        actions: ['kms:Decrypt'],
        resource: KEY_ARN,
        conditions: { encryptionContext: new Map([['project', 'alpha-web']]) },
        expect: 'Allow',
      },
      {
        name: 'StringLike alpha-*: beta',
        source: CONDITIONAL_OPERATORS,
        identity: [likeProject],
        actions: ['kms:Decrypt'],
        resource: KEY_ARN,
        conditions: { encryptionContext: new Map([['project', 'beta']]) },
        expect: 'ImplicitDeny',
      },
      {
        name: 'StringLike alpha-*: no context',
        source: CONDITIONAL_OPERATORS,
        identity: [likeProject],
        actions: ['kms:Decrypt'],
        resource: KEY_ARN,
        conditions: { encryptionContext: new Map() },
        expect: 'ImplicitDeny',
      },
      {
        name: 'StringLike dev?: dev1',
        source: CONDITIONAL_OPERATORS,
        identity: [oneCharacter],
        actions: ['kms:Decrypt'],
        resource: KEY_ARN,
        conditions: { encryptionContext: new Map([['env', 'dev1']]) },
        expect: 'Allow',
      },
      {
        name: 'StringLike dev?: dev12',
        source: CONDITIONAL_OPERATORS,
        identity: [oneCharacter],
        actions: ['kms:Decrypt'],
        resource: KEY_ARN,
        conditions: { encryptionContext: new Map([['env', 'dev12']]) },
        expect: 'ImplicitDeny',
      },
    ] satisfies DecisionRow[];
  })(),

  // Numeric, Bool and NotIpAddress (RAM's conditional operators), with the absent-key rule.
  ...(() => {
    const lowLevel = doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*', Condition: { NumericLessThan: { 'kms:tag/level': 5 } } });
    const tlsOnly = [
      ALLOW_ALL_KMS,
      doc({ Sid: 'tls only', Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'acs:SecureTransport': 'false' } } }),
    ];
    const fromDocNetwork = [
      ALLOW_ALL_KMS,
      doc({
        Sid: 'only 2001:db8::/32',
        Effect: 'Deny',
        Action: 'kms:*',
        Resource: '*',
        Condition: { NotIpAddress: { 'acs:SourceIp': '2001:db8::/32' } },
      }),
    ];
    return [
      {
        name: 'NumericLessThan level 5: level 3',
        source: CONDITIONAL_OPERATORS,
        identity: [lowLevel],
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        conditions: { tags: [{ tagKey: 'level', tagValue: '3' }] },
        expect: 'Allow',
      },
      {
        name: 'NumericLessThan level 5: level 5',
        source: CONDITIONAL_OPERATORS,
        identity: [lowLevel],
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        conditions: { tags: [{ tagKey: 'level', tagValue: '5' }] },
        expect: 'ImplicitDeny',
      },
      {
        name: 'NumericLessThan level 5: a level that is no number',
        source: CONDITIONAL_OPERATORS,
        identity: [lowLevel],
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        conditions: { tags: [{ tagKey: 'level', tagValue: 'low' }] },
        expect: 'ImplicitDeny',
      },
      {
        name: 'Deny without TLS: over HTTP',
        source: CONDITIONAL_OPERATORS,
        identity: tlsOnly,
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        conditions: { secureTransport: false },
        expect: 'ExplicitDeny',
        sid: 'tls only',
      },
      {
        name: 'Deny without TLS: over HTTPS',
        source: CONDITIONAL_OPERATORS,
        identity: tlsOnly,
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        conditions: { secureTransport: true },
        expect: 'Allow',
      },
      {
        name: 'Deny outside 2001:db8::/32: inside',
        source: CONDITIONAL_OPERATORS,
        identity: fromDocNetwork,
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        conditions: { sourceIp: '2001:db8::1' },
        expect: 'Allow',
      },
      {
        name: 'Deny outside 2001:db8::/32: outside',
        source: CONDITIONAL_OPERATORS,
        identity: fromDocNetwork,
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        conditions: { sourceIp: '2001:db9::1' },
        expect: 'ExplicitDeny',
      },
      {
        name: 'Deny outside 2001:db8::/32: an IPv4 peer',
        source: CONDITIONAL_OPERATORS,
        identity: fromDocNetwork,
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        conditions: { sourceIp: '10.0.0.1' },
        expect: 'ExplicitDeny',
      },
      {
        name: 'Deny outside 2001:db8::/32: no address (negated operator true)',
        source: CONDITIONAL_OPERATORS,
        identity: fromDocNetwork,
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        conditions: { sourceIp: undefined },
        expect: 'ExplicitDeny',
      },
    ] satisfies DecisionRow[];
  })(),

  // The same-account rule of the key policy overview: an Allow in either suffices, a Deny in either wins.
  ...(() => {
    const keyPolicyAllowsUser = doc({
      Sid: 'user may encrypt',
      Effect: 'Allow',
      Principal: { RAM: [USER] },
      Action: 'kms:Encrypt',
      Resource: '*',
    });
    const keyPolicyDeniesUser = doc({ Sid: 'user may not', Effect: 'Deny', Principal: { RAM: [USER] }, Action: 'kms:*', Resource: '*' });
    const identityDeny = doc({ Sid: 'never', Effect: 'Deny', Action: 'kms:Encrypt', Resource: KEY_ARN });
    return [
      {
        name: 'same account: key policy Allow alone',
        source: KEY_POLICY_OVERVIEW,
        keyPolicy: keyPolicyAllowsUser,
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        expect: 'Allow',
        sid: 'user may encrypt',
      },
      {
        name: 'same account: identity Allow alone',
        source: KEY_POLICY_OVERVIEW,
        identity: [ALLOW_ALL_KMS],
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        expect: 'Allow',
      },
      {
        name: 'same account: key policy Deny beats identity Allow',
        source: KEY_POLICY_OVERVIEW,
        identity: [ALLOW_ALL_KMS],
        keyPolicy: keyPolicyDeniesUser,
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        expect: 'ExplicitDeny',
        sid: 'user may not',
      },
      {
        name: 'same account: identity Deny beats key policy Allow',
        source: KEY_POLICY_OVERVIEW,
        identity: [identityDeny],
        keyPolicy: keyPolicyAllowsUser,
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        expect: 'ExplicitDeny',
        sid: 'never',
      },
      {
        name: 'same account: a key policy Deny for another user does not apply',
        source: KEY_POLICY_OVERVIEW,
        principal: OTHER_USER,
        identity: [ALLOW_ALL_KMS],
        keyPolicy: keyPolicyDeniesUser,
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        expect: 'Allow',
      },
      {
        name: 'default key policy: names the account, grants its users nothing',
        source: GET_KEY_POLICY,
        keyPolicy: DEFAULT_KEY_POLICY,
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        expect: 'ImplicitDeny',
      },
      {
        name: 'default key policy: with an identity Allow',
        source: GET_KEY_POLICY,
        identity: [ENCRYPT_DECRYPT_ONE_KEY],
        keyPolicy: DEFAULT_KEY_POLICY,
        actions: ['kms:Encrypt'],
        resource: KEY_ARN,
        expect: 'Allow',
      },
      {
        name: 'group policy: an Allow through a group',
        source: POLICY_ELEMENTS,
        group: [ENCRYPT_DECRYPT_ONE_KEY],
        actions: ['kms:Decrypt'],
        resource: KEY_ARN,
        expect: 'Allow',
      },
      {
        name: 'group policy: a Deny through a group beats the user Allow',
        source: POLICY_ELEMENTS,
        identity: [ALLOW_ALL_KMS],
        group: [doc({ Sid: 'group says no', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' })],
        actions: ['kms:Decrypt'],
        resource: KEY_ARN,
        expect: 'ExplicitDeny',
        sid: 'group says no',
      },
    ] satisfies DecisionRow[];
  })(),

  // The KMS resource types: containers, aliases, and wildcards in Arns.
  ...(() => {
    const listAndCreate = doc({ Effect: 'Allow', Action: ['kms:ListKeys', 'kms:CreateKey'], Resource: `acs:kms:*:${ACCOUNT}:key` });
    const aliasesOnly = doc({ Effect: 'Allow', Action: 'kms:CreateAlias', Resource: `acs:kms:${REGION}:${ACCOUNT}:alias/app-*` });
    const keysByPattern = doc({ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: `acs:kms:${REGION}:${ACCOUNT}:key/1234abcd-????-*` });
    return [
      {
        name: 'key container: ListKeys',
        source: RAM_FOR_KMS,
        identity: [listAndCreate],
        actions: ['kms:ListKeys'],
        resource: `acs:kms:${REGION}:${ACCOUNT}:key`,
        expect: 'Allow',
      },
      {
        name: 'key container: not a key',
        source: RAM_FOR_KMS,
        identity: [listAndCreate],
        actions: ['kms:ListKeys'],
        resource: KEY_ARN,
        expect: 'ImplicitDeny',
      },
      {
        name: 'alias Arn: alias/app-web',
        source: RAM_FOR_KMS,
        identity: [aliasesOnly],
        actions: ['kms:CreateAlias'],
        resource: `acs:kms:${REGION}:${ACCOUNT}:alias/app-web`,
        expect: 'Allow',
      },
      {
        name: 'alias Arn: the key behind it is another resource',
        source: RAM_FOR_KMS,
        identity: [aliasesOnly],
        actions: ['kms:CreateAlias'],
        resource: KEY_ARN,
        expect: 'ImplicitDeny',
      },
      {
        name: 'key Arn with ? and *: matches',
        source: POLICY_SYNTAX,
        identity: [keysByPattern],
        actions: ['kms:DescribeKey'],
        resource: KEY_ARN,
        expect: 'Allow',
      },
      {
        name: 'key Arn with ? and *: another key',
        source: POLICY_SYNTAX,
        identity: [keysByPattern],
        actions: ['kms:DescribeKey'],
        resource: OTHER_KEY_ARN,
        expect: 'ImplicitDeny',
      },
    ] satisfies DecisionRow[];
  })(),
];
