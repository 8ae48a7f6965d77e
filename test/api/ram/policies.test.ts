import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createInjectApi, type InjectApi } from '../../support/inject-api.js';
import { ISO_SECOND, ramCaller, refusal } from './support.js';

const ENCRYPT_ONLY = JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt'], Resource: ['acs:kms:*:*:key/*'] }],
});
const DECRYPT_TOO = JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }],
});

describe('RAM policies (CreatePolicy, GetPolicy, ListPolicies, DeletePolicy, versions, attachments to users)', () => {
  let api: InjectApi;
  let ram: ReturnType<typeof ramCaller>;

  beforeEach(async () => {
    api = await createInjectApi();
    ram = ramCaller(api);
  });
  afterEach(() => api.close());

  it('CreatePolicy stores v1; GetPolicy returns the policy and its default version', async () => {
    const created = await ram('CreatePolicy', { PolicyName: 'EncryptOnly', Description: 'app', PolicyDocument: ENCRYPT_ONLY });
    assert.equal(created.statusCode, 200, created.text);
    assert.deepEqual(
      { ...created.json.Policy, CreateDate: undefined },
      {
        PolicyName: 'EncryptOnly',
        PolicyType: 'Custom',
        Description: 'app',
        DefaultVersion: 'v1',
        CreateDate: undefined,
      },
    );
    assert.match(created.json.Policy.CreateDate, ISO_SECOND);
    const got = await ram('GetPolicy', { PolicyName: 'EncryptOnly', PolicyType: 'Custom' });
    assert.equal(got.json.Policy.AttachmentCount, 0);
    assert.equal(got.json.Policy.PolicyDocument, ENCRYPT_ONLY);
    assert.equal(got.json.DefaultPolicyVersion.VersionId, 'v1');
    assert.equal(got.json.DefaultPolicyVersion.IsDefaultVersion, true);
  });

  it('refuses a malformed document naming the element, and never stores it', async () => {
    const unknownElement = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', NotResource: 'x' }] });
    const refused = await ram('CreatePolicy', { PolicyName: 'Bad', PolicyDocument: unknownElement });
    assert.deepEqual(refusal(refused), { status: 400, code: 'MalformedPolicyDocument' });
    assert.match(refused.json.Message, /NotResource/);
    assert.deepEqual(refusal(await ram('CreatePolicy', { PolicyName: 'Bad', PolicyDocument: 'not json' })), {
      status: 400,
      code: 'MalformedPolicyDocument',
    });
    assert.deepEqual(refusal(await ram('CreatePolicy', { PolicyName: 'Bad', PolicyDocument: 'x'.repeat(6145) })), {
      status: 400,
      code: 'MalformedPolicyDocument',
    });
    assert.deepEqual(refusal(await ram('GetPolicy', { PolicyName: 'Bad', PolicyType: 'Custom' })), {
      status: 404,
      code: 'EntityNotExist.Policy',
    });
  });

  it('refuses bad names, a taken name (a system policy’s too) and a bad PolicyType', async () => {
    assert.deepEqual(refusal(await ram('CreatePolicy', { PolicyName: 'bad_name', PolicyDocument: ENCRYPT_ONLY })), {
      status: 400,
      code: 'InvalidParameter',
    });
    await ram('CreatePolicy', { PolicyName: 'P', PolicyDocument: ENCRYPT_ONLY });
    assert.deepEqual(refusal(await ram('CreatePolicy', { PolicyName: 'P', PolicyDocument: ENCRYPT_ONLY })), {
      status: 409,
      code: 'EntityAlreadyExists.Policy',
    });
    assert.deepEqual(refusal(await ram('CreatePolicy', { PolicyName: 'AliyunKMSFullAccess', PolicyDocument: ENCRYPT_ONLY })), {
      status: 409,
      code: 'EntityAlreadyExists.Policy',
    });
    assert.deepEqual(refusal(await ram('GetPolicy', { PolicyName: 'P', PolicyType: 'custom' })), { status: 400, code: 'InvalidParameter' });
  });

  it('system policies are listed, readable and attachable, not writable', async () => {
    const got = await ram('GetPolicy', { PolicyName: 'AliyunKMSFullAccess', PolicyType: 'System' });
    assert.equal(got.statusCode, 200, got.text);
    assert.deepEqual(JSON.parse(got.json.DefaultPolicyVersion.PolicyDocument), {
      Version: '1',
      Statement: [{ Action: 'kms:*', Resource: '*', Effect: 'Allow' }],
    });
    const listed = await ram('ListPolicies', { PolicyType: 'System' });
    assert.deepEqual(
      listed.json.Policies.Policy.map((p: { PolicyName: string }) => p.PolicyName),
      ['AliyunKMSFullAccess', 'AliyunRAMFullAccess'],
    );
    assert.deepEqual(refusal(await ram('CreatePolicyVersion', { PolicyName: 'AliyunKMSFullAccess', PolicyDocument: ENCRYPT_ONLY })), {
      status: 404,
      code: 'EntityNotExist.Policy',
    });
    assert.deepEqual(refusal(await ram('DeletePolicy', { PolicyName: 'AliyunKMSFullAccess' })), {
      status: 404,
      code: 'EntityNotExist.Policy',
    });
  });

  it('ListPolicies pages system then custom policies with Marker', async () => {
    for (const name of ['B', 'A']) await ram('CreatePolicy', { PolicyName: name, PolicyDocument: ENCRYPT_ONLY });
    const first = await ram('ListPolicies', { MaxItems: 3 });
    assert.deepEqual(
      first.json.Policies.Policy.map((p: { PolicyName: string }) => p.PolicyName),
      ['AliyunKMSFullAccess', 'AliyunRAMFullAccess', 'A'],
    );
    assert.equal(first.json.IsTruncated, true);
    const second = await ram('ListPolicies', { MaxItems: 3, Marker: first.json.Marker });
    assert.deepEqual(
      second.json.Policies.Policy.map((p: { PolicyName: string }) => p.PolicyName),
      ['B'],
    );
    assert.equal(second.json.IsTruncated, false);
    const custom = await ram('ListPolicies', { PolicyType: 'Custom' });
    assert.equal(custom.json.Policies.Policy.length, 2);
  });

  it('CreatePolicyVersion, ListPolicyVersions, DeletePolicyVersion and the five-version limit', async () => {
    await ram('CreatePolicy', { PolicyName: 'P', PolicyDocument: ENCRYPT_ONLY });
    const v2 = await ram('CreatePolicyVersion', { PolicyName: 'P', PolicyDocument: DECRYPT_TOO, SetAsDefault: true });
    assert.equal(v2.statusCode, 200, v2.text);
    assert.deepEqual(
      { ...v2.json.PolicyVersion, CreateDate: undefined },
      {
        VersionId: 'v2',
        IsDefaultVersion: true,
        PolicyDocument: DECRYPT_TOO,
        CreateDate: undefined,
      },
    );
    const versions = await ram('ListPolicyVersions', { PolicyName: 'P', PolicyType: 'Custom' });
    assert.deepEqual(
      versions.json.PolicyVersions.PolicyVersion.map((v: { VersionId: string; IsDefaultVersion: boolean }) => [
        v.VersionId,
        v.IsDefaultVersion,
      ]),
      [
        ['v1', false],
        ['v2', true],
      ],
    );
    assert.deepEqual(refusal(await ram('DeletePolicyVersion', { PolicyName: 'P', VersionId: 'v2' })), {
      status: 409,
      code: 'DeleteConflict.Policy.Version.Default',
    });
    assert.deepEqual(refusal(await ram('DeletePolicyVersion', { PolicyName: 'P', VersionId: 'v9' })), {
      status: 404,
      code: 'EntityNotExist.Policy.Version',
    });
    for (let i = 0; i < 3; i += 1) await ram('CreatePolicyVersion', { PolicyName: 'P', PolicyDocument: ENCRYPT_ONLY });
    assert.deepEqual(refusal(await ram('CreatePolicyVersion', { PolicyName: 'P', PolicyDocument: ENCRYPT_ONLY })), {
      status: 409,
      code: 'LimitExceeded.Policy.Version',
    });
    const rotated = await ram('CreatePolicyVersion', {
      PolicyName: 'P',
      PolicyDocument: ENCRYPT_ONLY,
      RotateStrategy: 'DeleteOldestNonDefaultVersionWhenLimitExceeded',
    });
    assert.equal(rotated.json.PolicyVersion.VersionId, 'v6');
    const after = await ram('ListPolicyVersions', { PolicyName: 'P', PolicyType: 'Custom' });
    assert.deepEqual(
      after.json.PolicyVersions.PolicyVersion.map((v: { VersionId: string }) => v.VersionId),
      ['v2', 'v3', 'v4', 'v5', 'v6'],
    );
    assert.equal((await ram('DeletePolicyVersion', { PolicyName: 'P', VersionId: 'v3' })).statusCode, 200);
    assert.deepEqual(refusal(await ram('CreatePolicyVersion', { PolicyName: 'P', PolicyDocument: '{}' })), {
      status: 400,
      code: 'MalformedPolicyDocument',
    });
  });

  it('AttachPolicyToUser, ListPoliciesForUser, DetachPolicyFromUser; DeletePolicy refused while attached or versioned', async () => {
    await ram('CreateUser', { UserName: 'app' });
    await ram('CreatePolicy', { PolicyName: 'P', Description: 'd', PolicyDocument: ENCRYPT_ONLY });
    assert.equal((await ram('AttachPolicyToUser', { UserName: 'app', PolicyName: 'P', PolicyType: 'Custom' })).statusCode, 200);
    await ram('AttachPolicyToUser', { UserName: 'app', PolicyName: 'AliyunKMSFullAccess', PolicyType: 'System' });
    assert.deepEqual(refusal(await ram('AttachPolicyToUser', { UserName: 'app', PolicyName: 'P', PolicyType: 'Custom' })), {
      status: 409,
      code: 'EntityAlreadyExists.User.Policy',
    });
    assert.deepEqual(refusal(await ram('AttachPolicyToUser', { UserName: 'app', PolicyName: 'Nope', PolicyType: 'System' })), {
      status: 404,
      code: 'EntityNotExist.Policy',
    });
    const listed = await ram('ListPoliciesForUser', { UserName: 'app' });
    assert.deepEqual(
      listed.json.Policies.Policy.map((p: { PolicyName: string; PolicyType: string; DefaultVersion: string }) => [
        p.PolicyName,
        p.PolicyType,
        p.DefaultVersion,
      ]),
      [
        ['P', 'Custom', 'v1'],
        ['AliyunKMSFullAccess', 'System', 'v1'],
      ],
    );
    assert.match(listed.json.Policies.Policy[0].AttachDate, ISO_SECOND);
    assert.equal((await ram('GetPolicy', { PolicyName: 'P', PolicyType: 'Custom' })).json.Policy.AttachmentCount, 1);
    assert.deepEqual(refusal(await ram('DeleteUser', { UserName: 'app' })), { status: 409, code: 'DeleteConflict.User.Policy' });
    assert.deepEqual(refusal(await ram('DeletePolicy', { PolicyName: 'P' })), { status: 409, code: 'DeleteConflict.Policy.User' });

    assert.equal((await ram('DetachPolicyFromUser', { UserName: 'app', PolicyName: 'P', PolicyType: 'Custom' })).statusCode, 200);
    assert.deepEqual(refusal(await ram('DetachPolicyFromUser', { UserName: 'app', PolicyName: 'P', PolicyType: 'Custom' })), {
      status: 404,
      code: 'EntityNotExist.User.Policy',
    });
    await ram('CreatePolicyVersion', { PolicyName: 'P', PolicyDocument: DECRYPT_TOO });
    assert.deepEqual(refusal(await ram('DeletePolicy', { PolicyName: 'P' })), { status: 409, code: 'DeleteConflict.Policy.Version' });
    assert.equal((await ram('DeletePolicy', { PolicyName: 'P', CascadingDelete: true })).statusCode, 200);
    assert.deepEqual(refusal(await ram('DeletePolicy', { PolicyName: 'P' })), { status: 404, code: 'EntityNotExist.Policy' });
  });

  it('attaching and detaching is audited on the user and the policy', async () => {
    await ram('CreateUser', { UserName: 'app' });
    await ram('AttachPolicyToUser', { UserName: 'app', PolicyName: 'AliyunKMSFullAccess', PolicyType: 'System' });
    const event = api.auditEvents.at(-1);
    assert.equal(event?.action, 'ram:AttachPolicyToUser');
    assert.deepEqual(
      event?.resources.map((r) => r.arn),
      [`acs:ram::${api.accountId}:user/app`, `acs:ram::${api.accountId}:policy/AliyunKMSFullAccess`],
    );
  });
});
