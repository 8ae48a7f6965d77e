// RAM policies through the whole pipeline, with inject(): a request signed by a RAM user's access
// key is evaluated against its identity policies (an InMemoryPolicySource) and the key's key
// policy; a denial is HTTP 403 Forbidden.RAM naming the RAM action and nothing about the deciding
// statement, and the audit event records the decision. The administrator is never evaluated.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { AuditEvent } from '../../src/domain/audit-event.js';
import { InMemoryPolicySource, type AttachedPolicy } from '../../src/policy/policy-source.js';
import {
  createInjectApi,
  INJECT_ACCOUNT_ID,
  INJECT_REGION,
  type Credentials,
  type InjectApi,
  type InjectResponse,
} from '../support/inject-api.js';

const USER_ARN = `acs:ram::${INJECT_ACCOUNT_ID}:user/app`;
const APP: Credentials = { accessKeyId: 'LTAIinjectRamUserApp00001', accessKeySecret: 'injectSecretOfTheRamUserApp001' };
const STRANGER: Credentials = { accessKeyId: 'LTAIinjectNotAnyRamUser01', accessKeySecret: 'injectSecretOfNoRamUserAtAll01' };
const keyArn = (keyId: string) => `acs:kms:${INJECT_REGION}:${INJECT_ACCOUNT_ID}:key/${keyId}`;

let api: InjectApi;
let policies: InMemoryPolicySource;
let keyId = '';
let otherKeyId = '';

const policy = (policyName: string, statements: readonly object[]): AttachedPolicy => ({
  policyType: 'Custom',
  policyName,
  versionId: 'v1',
  document: JSON.stringify({ Version: '1', Statement: statements }),
});

const asApp = (action: string, params: Record<string, string | object> = {}) => api.call(action, params, { accessKey: APP });
const lastEvent = (): AuditEvent => {
  const event = api.auditEvents[api.auditEvents.length - 1];
  assert.ok(event, 'an audit event was emitted');
  return event;
};

function assertForbidden(response: InjectResponse, ramAction: string): void {
  assert.equal(response.statusCode, 403, response.text);
  assert.equal(response.json.Code, 'Forbidden.RAM');
  assert.equal(
    response.json.Message,
    `User not authorized to operate on the specified resource, or this API does not support RAM: ${ramAction} is not allowed.`,
  );
}

before(async () => {
  policies = new InMemoryPolicySource();
  api = await createInjectApi({ policies });
  await api.addAccessKey(APP, USER_ARN);
  await api.addAccessKey(STRANGER, 'someone-else');
  keyId = (await api.call('CreateKey')).json.KeyMetadata.KeyId;
  otherKeyId = (await api.call('CreateKey')).json.KeyMetadata.KeyId;
});

after(async () => {
  await api.close();
});

beforeEach(() => {
  for (const name of ['encrypt-decrypt', 'deny-decrypt', 'reencrypt', 'context', 'network']) policies.detachFromUser(USER_ARN, name);
});

describe('a RAM user with no policies', () => {
  it('is denied implicitly, 403 Forbidden.RAM naming the action, and the audit event says so', async () => {
    const response = await asApp('Encrypt', { KeyId: keyId, Plaintext: 'hello' });
    assertForbidden(response, 'kms:Encrypt');
    const event = lastEvent();
    assert.equal(event.result, 'Forbidden.RAM');
    assert.equal(event.errorKind, 'DeniedByPolicy');
    assert.equal(event.identity.principal, USER_ARN);
    assert.deepEqual(event.resources[0]?.decision, { effect: 'ImplicitDeny', ramAction: 'kms:Encrypt' });
  });

  it('may call DescribeRegions, which needs no authorisation', async () => {
    const response = await asApp('DescribeRegions');
    assert.equal(response.statusCode, 200, response.text);
  });
});

describe('a RAM user allowed Encrypt and Decrypt under one key', () => {
  beforeEach(() => {
    policies.attachToUser(
      USER_ARN,
      policy('encrypt-decrypt', [{ Sid: 'use one key', Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: keyArn(keyId) }]),
    );
  });

  it('encrypts and decrypts under that key, and the audit event names the allowing policy', async () => {
    const encrypted = await asApp('Encrypt', { KeyId: keyId, Plaintext: 'hello' });
    assert.equal(encrypted.statusCode, 200, encrypted.text);
    assert.deepEqual(lastEvent().resources[0]?.decision, {
      effect: 'Allow',
      ramAction: 'kms:Encrypt',
      policySource: 'identity',
      policyName: 'encrypt-decrypt',
      policyType: 'Custom',
      sid: 'use one key',
    });
    const decrypted = await asApp('Decrypt', { CiphertextBlob: encrypted.json.CiphertextBlob });
    assert.equal(decrypted.statusCode, 200, decrypted.text);
    assert.equal(decrypted.json.Plaintext, 'hello');
  });

  it('is authorised on the key an alias or an Arn names', async () => {
    await api.call('CreateAlias', { AliasName: 'alias/app-key', KeyId: keyId });
    assert.equal((await asApp('Encrypt', { KeyId: 'alias/app-key', Plaintext: 'x' })).statusCode, 200);
    assert.equal((await asApp('Encrypt', { KeyId: keyArn(keyId), Plaintext: 'x' })).statusCode, 200);
  });

  it('may not use another key, nor describe or disable its own', async () => {
    assertForbidden(await asApp('Encrypt', { KeyId: otherKeyId, Plaintext: 'x' }), 'kms:Encrypt');
    assertForbidden(await asApp('DescribeKey', { KeyId: keyId }), 'kms:DescribeKey');
    assertForbidden(await asApp('DisableKey', { KeyId: keyId }), 'kms:DisableKey');
    assert.equal((await api.call('DescribeKey', { KeyId: keyId })).json.KeyMetadata.KeyState, 'Enabled');
  });

  it('is stopped by an explicit Deny; the answer says nothing of the policy, the audit event names it', async () => {
    const encrypted = await asApp('Encrypt', { KeyId: keyId, Plaintext: 'secret' });
    policies.attachToUser(
      USER_ARN,
      policy('deny-decrypt', [{ Sid: 'no-decrypt-sid', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' }]),
    );
    const response = await asApp('Decrypt', { CiphertextBlob: encrypted.json.CiphertextBlob });
    assertForbidden(response, 'kms:Decrypt');
    assert.ok(!response.text.includes('no-decrypt-sid') && !response.text.includes('deny-decrypt'), response.text);
    assert.deepEqual(lastEvent().resources[0]?.decision, {
      effect: 'ExplicitDeny',
      ramAction: 'kms:Decrypt',
      policySource: 'identity',
      policyName: 'deny-decrypt',
      policyType: 'Custom',
      sid: 'no-decrypt-sid',
    });
  });

  it('loses the permission on the next request once the policy is detached', async () => {
    assert.equal((await asApp('Encrypt', { KeyId: keyId, Plaintext: 'x' })).statusCode, 200);
    policies.detachFromUser(USER_ARN, 'encrypt-decrypt');
    assertForbidden(await asApp('Encrypt', { KeyId: keyId, Plaintext: 'x' }), 'kms:Encrypt');
  });

  it('gets the permission through a group, and loses it when removed from the group', async () => {
    policies.detachFromUser(USER_ARN, 'encrypt-decrypt');
    policies.attachToGroup('apps', policy('group-encrypt', [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }]));
    policies.addUserToGroup(USER_ARN, 'apps');
    assert.equal((await asApp('Encrypt', { KeyId: keyId, Plaintext: 'x' })).statusCode, 200);
    policies.removeUserFromGroup(USER_ARN, 'apps');
    assertForbidden(await asApp('Encrypt', { KeyId: keyId, Plaintext: 'x' }), 'kms:Encrypt');
  });
});

describe('ReEncrypt', () => {
  it('needs kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the destination', async () => {
    const blob = (await api.call('Encrypt', { KeyId: keyId, Plaintext: 'move me' })).json.CiphertextBlob;
    policies.attachToUser(
      USER_ARN,
      policy('reencrypt', [
        { Effect: 'Allow', Action: 'kms:ReEncryptFrom', Resource: keyArn(keyId) },
        { Effect: 'Allow', Action: 'kms:ReEncryptTo', Resource: keyArn(otherKeyId) },
      ]),
    );
    const moved = await asApp('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: otherKeyId });
    assert.equal(moved.statusCode, 200, moved.text);
    const decisions = lastEvent().resources.map((resource) => [resource.role, resource.decision?.ramAction, resource.decision?.effect]);
    assert.deepEqual(decisions, [
      ['destination', 'kms:ReEncryptTo', 'Allow'],
      ['source', 'kms:ReEncryptFrom', 'Allow'],
    ]);
    // Back again is ReEncryptFrom on the other key and ReEncryptTo on the first: neither is allowed.
    assertForbidden(await asApp('ReEncrypt', { CiphertextBlob: moved.json.CiphertextBlob, DestinationKeyId: keyId }), 'kms:ReEncryptTo');
  });
});

describe('condition keys from the request', () => {
  it('tests kms:EncryptionContext:<key> against the context the request names', async () => {
    policies.attachToUser(
      USER_ARN,
      policy('context', [
        {
          Effect: 'Allow',
          Action: ['kms:Encrypt', 'kms:Decrypt'],
          Resource: '*',
          Condition: { StringEquals: { 'kms:EncryptionContext:app': 'web' } },
        },
      ]),
    );
    const web = await asApp('Encrypt', { KeyId: keyId, Plaintext: 'x', EncryptionContext: { app: 'web' } });
    assert.equal(web.statusCode, 200, web.text);
    assertForbidden(await asApp('Encrypt', { KeyId: keyId, Plaintext: 'x', EncryptionContext: { app: 'batch' } }), 'kms:Encrypt');
    assertForbidden(await asApp('Encrypt', { KeyId: keyId, Plaintext: 'x' }), 'kms:Encrypt');
    const opened = await asApp('Decrypt', { CiphertextBlob: web.json.CiphertextBlob, EncryptionContext: { app: 'web' } });
    assert.equal(opened.statusCode, 200, opened.text);
  });

  it('tests acs:SourceIp against the peer address (inject() comes from 127.0.0.1)', async () => {
    policies.attachToUser(
      USER_ARN,
      policy('network', [
        { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { IpAddress: { 'acs:SourceIp': '127.0.0.0/8' } } },
        { Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*', Condition: { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' } } },
      ]),
    );
    assert.equal((await asApp('Encrypt', { KeyId: keyId, Plaintext: 'x' })).statusCode, 200);
    assertForbidden(await asApp('DescribeKey', { KeyId: keyId }), 'kms:DescribeKey');
  });
});

describe('principals that are not RAM users', () => {
  it('refuses an access key of neither the administrator nor a RAM user of the account, as before', async () => {
    const response = await api.call('Encrypt', { KeyId: keyId, Plaintext: 'x' }, { accessKey: STRANGER });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json.Code, 'Forbidden.NoPermission');
  });

  it('never evaluates the administrator: no decision in its audit events', async () => {
    assert.equal((await api.call('DescribeKey', { KeyId: keyId })).statusCode, 200);
    assert.equal(lastEvent().resources[0]?.decision, undefined);
  });
});
