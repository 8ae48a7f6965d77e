// GetKeyPolicy through inject(): KeyId required, PolicyName optional and only `default`
// (Alibaba's GetKeyPolicy reference); {Policy, RequestId}. A key that was never given a policy
// answers Alibaba's default key policy for the server's account.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiForFile, createKey, fieldsOf, KEY_NOT_FOUND, missing, moveTo, ok, refused } from './helpers.js';

const api = apiForFile();

/** Alibaba's default key policy (the GetKeyPolicy reference's example), for the server's account. */
const defaultPolicyOf = (accountId: string) =>
  `{"Statement":[{"Action":["kms:*"],"Effect":"Allow","Principal":{"RAM":["acs:ram::${accountId}:*"]},"Resource":["*"],"Sid":"kms default key policy"}],"Version":"1"}`;

describe('GetKeyPolicy', () => {
  it("answers {Policy, RequestId}: a new key has Alibaba's default key policy", async () => {
    const { KeyId } = await createKey(api());
    const body = ok(await api().call('GetKeyPolicy', { KeyId, PolicyName: 'default' }));
    assert.deepEqual(fieldsOf(body), ['Policy', 'RequestId']);
    assert.equal(body.Policy, defaultPolicyOf(api().accountId));
  });

  it('answers the policy SetKeyPolicy stored, for the key named by alias too', async () => {
    const { KeyId } = await createKey(api());
    const policy = JSON.stringify({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Principal: { RAM: [`acs:ram::${api().accountId}:user/reader`] }, Action: 'kms:Decrypt', Resource: '*' },
      ],
    });
    ok(await api().call('SetKeyPolicy', { KeyId, Policy: policy }));
    ok(await api().call('CreateAlias', { AliasName: 'alias/get-policy', KeyId }));
    assert.equal(ok(await api().call('GetKeyPolicy', { KeyId: 'alias/get-policy' })).Policy, policy);
  });

  it('answers for a key in any state', async () => {
    const { KeyId } = await createKey(api());
    await moveTo(api(), KeyId, 'PendingDeletion');
    assert.equal(ok(await api().call('GetKeyPolicy', { KeyId })).Policy, defaultPolicyOf(api().accountId));
  });

  it('answers when signed with HMAC-SHA1 over GET', async () => {
    const { KeyId } = await createKey(api());
    assert.equal(ok(await api().call('GetKeyPolicy', { KeyId }, { signature: 'HMAC-SHA1' })).Policy, defaultPolicyOf(api().accountId));
  });

  it('refuses a PolicyName other than default, a missing KeyId and an unknown key', async () => {
    const { KeyId } = await createKey(api());
    refused(await api().call('GetKeyPolicy', { KeyId, PolicyName: 'other' }), {
      status: 400,
      code: 'InvalidParameter',
      message: 'The specified parameter "PolicyName" is not valid.',
    });
    refused(await api().call('GetKeyPolicy', {}), missing('KeyId'));
    refused(await api().call('GetKeyPolicy', { KeyId: '00000000-0000-4000-8000-000000000000' }), KEY_NOT_FOUND);
  });
});
