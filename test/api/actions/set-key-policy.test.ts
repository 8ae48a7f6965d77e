// SetKeyPolicy through inject(): KeyId and Policy required, PolicyName optional and only
// `default` (Alibaba's SetKeyPolicy reference); {RequestId}. The policy is validated strictly as a
// key policy (RAM's grammar with Principal.RAM, at most 32,768 bytes) and decides from the next
// request on, with the caller's RAM policies, by the same-account rule (ADR 25).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Credentials } from '../../support/inject-api.js';
import { apiForFile, createKey, KEY_NOT_FOUND, keyArnOf, missing, moveTo, must, okEmpty, refused } from './helpers.js';

const APP: Credentials = { accessKeyId: 'LTAIsetKeyPolicyRamUser01', accessKeySecret: 'setKeyPolicySecretOfTheRamUser' };
let appArn = '';
const api = apiForFile(async (api) => {
  appArn = `acs:ram::${api.accountId}:user/app`;
  await api.addAccessKey(APP, appArn);
});

const keyPolicy = (statements: readonly object[]) => JSON.stringify({ Version: '1', Statement: statements });
const appMayEncrypt = () =>
  keyPolicy([{ Sid: 'app encrypts', Effect: 'Allow', Principal: { RAM: [appArn] }, Action: 'kms:Encrypt', Resource: '*' }]);
const invalidPolicy = (detail: string) => ({
  status: 400,
  code: 'InvalidParameter',
  message: `The specified parameter "Policy" is not valid: ${detail}.`,
});

async function storedPolicy(keyId: string): Promise<string> {
  return (await must(api(), 'GetKeyPolicy', { KeyId: keyId })).Policy;
}

describe('SetKeyPolicy', () => {
  it('answers only {RequestId}; GetKeyPolicy then answers the policy exactly as set', async () => {
    const { KeyId } = await createKey(api());
    const policy = appMayEncrypt();
    okEmpty(await api().call('SetKeyPolicy', { KeyId, PolicyName: 'default', Policy: policy }));
    assert.equal(await storedPolicy(KeyId), policy);
  });

  it('takes the key by alias or Arn, and PolicyName may be left out', async () => {
    const { KeyId } = await createKey(api());
    await must(api(), 'CreateAlias', { AliasName: 'alias/with-policy', KeyId });
    const policy = appMayEncrypt();
    okEmpty(await api().call('SetKeyPolicy', { KeyId: 'alias/with-policy', Policy: policy }));
    assert.equal(await storedPolicy(KeyId), policy);
    okEmpty(await api().call('SetKeyPolicy', { KeyId: keyArnOf(api(), KeyId), Policy: policy.replace('app encrypts', 'by arn') }));
    assert.ok((await storedPolicy(KeyId)).includes('by arn'));
  });

  it('lets the key policy alone allow a RAM user of the account, and a Deny in it stop one', async () => {
    const { KeyId } = await createKey(api());
    const asApp = () => api().call('Encrypt', { KeyId, Plaintext: 'x' }, { accessKey: APP });
    assert.equal((await asApp()).json.Code, 'Forbidden.RAM', 'the default key policy grants a RAM user nothing');
    okEmpty(await api().call('SetKeyPolicy', { KeyId, Policy: appMayEncrypt() }));
    assert.equal((await asApp()).statusCode, 200);
    okEmpty(
      await api().call('SetKeyPolicy', {
        KeyId,
        Policy: keyPolicy([{ Effect: 'Deny', Principal: { RAM: [appArn] }, Action: 'kms:*', Resource: '*' }]),
      }),
    );
    assert.equal((await asApp()).json.Code, 'Forbidden.RAM');
    assert.equal((await api().call('Encrypt', { KeyId, Plaintext: 'x' })).statusCode, 200, 'the administrator is never locked out');
  });

  it('is itself authorised: a RAM user needs kms:SetKeyPolicy on the key', async () => {
    const { KeyId } = await createKey(api());
    const asApp = (policy: string) => api().call('SetKeyPolicy', { KeyId, Policy: policy }, { accessKey: APP });
    const response = await asApp(appMayEncrypt());
    assert.equal(response.statusCode, 403);
    assert.equal(response.json.Code, 'Forbidden.RAM');
    okEmpty(
      await api().call('SetKeyPolicy', {
        KeyId,
        Policy: keyPolicy([
          { Effect: 'Allow', Principal: { RAM: [appArn] }, Action: ['kms:SetKeyPolicy', 'kms:GetKeyPolicy'], Resource: '*' },
        ]),
      }),
    );
    okEmpty(await asApp(appMayEncrypt()));
    assert.equal(await storedPolicy(KeyId), appMayEncrypt());
  });

  it('sets the policy of a Disabled or PendingDeletion key too', async () => {
    for (const state of ['Disabled', 'PendingDeletion'] as const) {
      const { KeyId } = await createKey(api());
      await moveTo(api(), KeyId, state);
      okEmpty(await api().call('SetKeyPolicy', { KeyId, Policy: appMayEncrypt() }));
      assert.equal(await storedPolicy(KeyId), appMayEncrypt());
    }
  });

  it('answers only {RequestId} when signed with HMAC-SHA1 over GET', async () => {
    const { KeyId } = await createKey(api());
    okEmpty(await api().call('SetKeyPolicy', { KeyId, Policy: appMayEncrypt() }, { signature: 'HMAC-SHA1' }));
    assert.equal(await storedPolicy(KeyId), appMayEncrypt());
  });

  it('refuses what is not a key policy, naming the element, and keeps the policy it had', async () => {
    const { KeyId } = await createKey(api());
    const before = await storedPolicy(KeyId);
    const principal = { RAM: [appArn] };
    const cases: readonly (readonly [string, string])[] = [
      ['{"Version":"1",', 'PolicyDocument: is not valid JSON'],
      [JSON.stringify({ Version: '2', Statement: [] }), 'Version: must be "1"'],
      [keyPolicy([{ Effect: 'Allow', Action: '*', Resource: '*' }]), 'Statement[0].Principal: is required in a key policy'],
      [
        keyPolicy([{ Effects: 'Allow', Principal: principal, Action: '*', Resource: '*' }]),
        'Statement[0].Effects: is not an element RAM knows',
      ],
      [
        keyPolicy([{ Effect: 'Allow', Principal: { RAM: ['bob'] }, Action: '*', Resource: '*' }]),
        'Statement[0].Principal.RAM[0]: is not a RAM principal (acs:ram::<account>:*, acs:ram::<account>:user/<name> or acs:ram::<account>:role/<name>)',
      ],
      [
        keyPolicy([{ Effect: 'Allow', Principal: principal, Action: '*', Resource: 'key/1' }]),
        'Statement[0].Resource[0]: is not an Arn of the form acs:<service>:<region>:<account>:<relative-id>',
      ],
      [
        keyPolicy([
          { Effect: 'Allow', Principal: principal, Action: '*', Resource: '*', Condition: { StringEqual: { 'acs:SourceIp': 'x' } } },
        ]),
        'Statement[0].Condition.StringEqual: is not a condition operator RAM knows',
      ],
    ];
    for (const [policy, detail] of cases) {
      refused(await api().call('SetKeyPolicy', { KeyId, Policy: policy }), invalidPolicy(detail));
    }
    assert.equal(await storedPolicy(KeyId), before);
  });

  it('refuses a policy of more than 32,768 bytes and accepts one of exactly that', async () => {
    const { KeyId } = await createKey(api());
    const base = keyPolicy([{ Sid: '', Effect: 'Allow', Principal: { RAM: [appArn] }, Action: 'kms:Encrypt', Resource: '*' }]);
    const fits = base.replace('"Sid":""', `"Sid":"${'s'.repeat(32_768 - Buffer.byteLength(base))}"`);
    assert.equal(Buffer.byteLength(fits), 32_768);
    okEmpty(await api().call('SetKeyPolicy', { KeyId, Policy: fits }));
    refused(
      await api().call('SetKeyPolicy', { KeyId, Policy: fits.replace('"Sid":"', '"Sid":"s') }),
      invalidPolicy('Policy: is longer than 32768 bytes'),
    );
  });

  it('refuses a PolicyName other than default, a missing KeyId or Policy, and an unknown key', async () => {
    const { KeyId } = await createKey(api());
    refused(await api().call('SetKeyPolicy', { KeyId, PolicyName: 'custom', Policy: appMayEncrypt() }), {
      status: 400,
      code: 'InvalidParameter',
      message: 'The specified parameter "PolicyName" is not valid.',
    });
    refused(await api().call('SetKeyPolicy', { KeyId }), missing('Policy'));
    refused(await api().call('SetKeyPolicy', { Policy: appMayEncrypt() }), missing('KeyId'));
    refused(await api().call('SetKeyPolicy', { KeyId: '00000000-0000-4000-8000-000000000000', Policy: appMayEncrypt() }), KEY_NOT_FOUND);
  });
});
