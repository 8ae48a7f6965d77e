// The authorisation point's own cost, in-process: a RAM user's Encrypt decided against one
// identity policy of 20 statements and the default key policy, next to the administrator's
// (never evaluated). The policy source answers from memory, so the store read of a real
// PolicySource and the HTTP path are not in the figure. Run: node --import tsx bench/policy-authorizer.ts
import type { Key } from '../src/domain/key.js';
import type { AuthorizationRequest } from '../src/pipeline/authorizer.js';
import { PolicyAuthorizer } from '../src/pipeline/policy-authorizer.js';
import type { AttachedPolicy, PolicySource } from '../src/policy/policy-source.js';

const ACCOUNT = '1234567890123456';
const USER = `acs:ram::${ACCOUNT}:user/app`;
const KEY_ARN = `acs:kms:cn-hangzhou:${ACCOUNT}:key/k1`;
const ITERATIONS = 200_000;

// 19 statements that do not apply to Encrypt on the key (other actions, other keys, some with a
// condition), and the one that allows it, last.
const statements = Array.from({ length: 20 }, (_, index) =>
  index === 19
    ? { Sid: 'use', Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: KEY_ARN }
    : {
        Sid: `s${index}`,
        Effect: 'Allow',
        Action: ['kms:Describe*', `kms:List${index}`],
        Resource: `acs:kms:*:${ACCOUNT}:key/other-${index}-*`,
        ...(index % 5 === 0 ? { Condition: { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' } } } : {}),
      },
);
const attached: readonly AttachedPolicy[] = [
  { policyType: 'Custom', policyName: 'app', versionId: 'v1', document: JSON.stringify({ Version: '1', Statement: statements }) },
];
const source: PolicySource = { policiesOfUser: () => Promise.resolve(attached) };
const authorizer = new PolicyAuthorizer({ policies: source, scope: { region: 'cn-hangzhou', accountId: ACCOUNT } });

const key = { keyId: 'k1', tags: [], keyPolicy: null } as unknown as Key;
const request = (principal: string): AuthorizationRequest => ({
  caller: { accessKeyId: 'LTAIbench', principal },
  action: 'Encrypt',
  role: 'key',
  resourceArn: KEY_ARN,
  key,
  encryptionContext: new Map(),
  facts: { sourceIp: '127.0.0.1', secureTransport: false, currentTime: Date.now() },
});

async function microsecondsPerCall(question: AuthorizationRequest): Promise<number> {
  for (let index = 0; index < ITERATIONS / 2; index += 1) await authorizer.authorize(question);
  const started = process.hrtime.bigint();
  for (let index = 0; index < ITERATIONS; index += 1) {
    const verdict = await authorizer.authorize(question);
    if (verdict && !verdict.allowed) throw new Error('the benchmark request was denied');
  }
  return Number(process.hrtime.bigint() - started) / ITERATIONS / 1000;
}

const ramUser = await microsecondsPerCall(request(USER));
const administrator = await microsecondsPerCall(request('admin'));
console.log(`RAM user, 20 statements: ${ramUser.toFixed(2)} µs per decision`);
console.log(`administrator:           ${administrator.toFixed(2)} µs per decision`);
console.log(`difference:              ${(ramUser - administrator).toFixed(2)} µs`);
