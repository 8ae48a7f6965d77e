// acs:SourceIp and acs:SecureTransport through inject() (whose peer is 127.0.0.1): X-Forwarded-For
// and X-Forwarded-Proto are believed only from a configured trusted proxy, and ignored otherwise,
// in the policy decision and in the audit trail alike.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InMemoryPolicySource } from '../../src/policy/policy-source.js';
import { signAcs3 } from '../support/acs3-signer.js';
import { createInjectApi, INJECT_ACCOUNT_ID, INJECT_HOST, type Credentials, type InjectApi } from '../support/inject-api.js';

const USER_ARN = `acs:ram::${INJECT_ACCOUNT_ID}:user/behind-proxy`;
const APP: Credentials = { accessKeyId: 'LTAIinjectBehindTheProxy1', accessKeySecret: 'injectSecretOfTheUserBehindIt1' };

const policies = new InMemoryPolicySource();
policies.attachToUser(USER_ARN, {
  policyType: 'Custom',
  policyName: 'office-network-over-tls',
  versionId: 'v1',
  document: JSON.stringify({
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*', Condition: { IpAddress: { 'acs:SourceIp': '203.0.113.0/24' } } },
      { Effect: 'Allow', Action: 'kms:ListKeys', Resource: '*', Condition: { Bool: { 'acs:SecureTransport': 'true' } } },
    ],
  }),
});

async function apiBehind(trustedProxies: readonly string[] | undefined): Promise<{ api: InjectApi; keyId: string }> {
  const api = await createInjectApi({ policies, ...(trustedProxies ? { trustedProxies } : {}) });
  await api.addAccessKey(APP, USER_ARN);
  const keyId = (await api.call('CreateKey')).json.KeyMetadata.KeyId as string;
  return { api, keyId };
}

function forwarded(api: InjectApi, action: string, query: [string, string][], headers: Record<string, string>) {
  const request = signAcs3({ credentials: APP, host: INJECT_HOST, method: 'POST', action, query, date: api.clock.now() });
  return api.send({ ...request, headers: { ...request.headers, ...headers } });
}

describe('with 127.0.0.1 as a trusted proxy', () => {
  let api: InjectApi;
  let keyId = '';
  before(async () => ({ api, keyId } = await apiBehind(['127.0.0.1'])));
  after(() => api.close());

  it('takes the client address from X-Forwarded-For, for the policy and the audit trail', async () => {
    const inside = await forwarded(api, 'DescribeKey', [['KeyId', keyId]], { 'x-forwarded-for': '203.0.113.9' });
    assert.equal(inside.statusCode, 200, inside.text);
    assert.equal(api.auditEvents[api.auditEvents.length - 1]?.sourceIp, '203.0.113.9');
    const outside = await forwarded(api, 'DescribeKey', [['KeyId', keyId]], { 'x-forwarded-for': '198.51.100.7' });
    assert.equal(outside.json.Code, 'Forbidden.RAM');
  });

  it('takes the transport from X-Forwarded-Proto', async () => {
    assert.equal((await forwarded(api, 'ListKeys', [], { 'x-forwarded-proto': 'https' })).statusCode, 200);
    assert.equal((await forwarded(api, 'ListKeys', [], { 'x-forwarded-proto': 'http' })).json.Code, 'Forbidden.RAM');
  });
});

describe('without trusted proxies', () => {
  let api: InjectApi;
  let keyId = '';
  before(async () => ({ api, keyId } = await apiBehind(undefined)));
  after(() => api.close());

  it('ignores X-Forwarded-For: the client is the TCP peer', async () => {
    const response = await forwarded(api, 'DescribeKey', [['KeyId', keyId]], { 'x-forwarded-for': '203.0.113.9' });
    assert.equal(response.json.Code, 'Forbidden.RAM');
    assert.equal(api.auditEvents[api.auditEvents.length - 1]?.sourceIp, '127.0.0.1');
  });

  it('ignores X-Forwarded-Proto: plain HTTP is not secure transport', async () => {
    assert.equal((await forwarded(api, 'ListKeys', [], { 'x-forwarded-proto': 'https' })).json.Code, 'Forbidden.RAM');
  });
});
