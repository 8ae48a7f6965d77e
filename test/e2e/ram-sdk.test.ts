// The official RAM client, @alicloud/ram20150501 (npm), unchanged but for its endpoint, against a
// real `arca server --workers 2` on its SQLite file: it manages users, access keys, groups and
// policies as it would Alibaba's RAM, and what it changes (a key made Inactive or deleted, a
// policy attached or detached, a membership, a new default version) holds from the next request
// on, on either worker (each request opens its own connection, so the round robin alternates).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import RamModule, * as Ram from '@alicloud/ram20150501';
import * as OpenApi from '@alicloud/openapi-core';
import { callAcs3, callOk, type Credentials } from '../support/acs3-signer.js';
import { ensureBuilt, killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

const REQUESTS_PER_CHECK = 4;
const ENCRYPT_ONLY = JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:GenerateDataKey'], Resource: ['acs:kms:*:*:key/*'] }],
});

function ramClient(arca: ArcaProcess, credentials: Credentials): any {
  const Client: any = (RamModule as any).default ?? RamModule;
  const Config: any = (OpenApi as any).$OpenApiUtil.Config;
  return new Client(new Config({ ...credentials, endpoint: arca.endpoint, protocol: 'http', regionId: 'cn-hangzhou' }));
}

/** The SDK's error for a refused call: its Code and HTTP status. */
async function refusal(call: Promise<unknown>): Promise<{ code: string; status: number }> {
  try {
    await call;
  } catch (error: any) {
    return { code: error.code, status: error.statusCode };
  }
  throw new Error('the call succeeded');
}

describe('the RAM SDK (@alicloud/ram20150501) against arca server --workers 2', () => {
  let admin: Credentials;
  let arca: ArcaProcess;
  let ram: any;
  const R: any = Ram;

  before(async () => {
    ensureBuilt();
    admin = randomCredentials('ramsdk');
    arca = await spawnArca({ dataDir: newDataDir('arca-ram-sdk-'), credentials: admin, args: ['--workers', '2'] });
    ram = ramClient(arca, admin);
  });

  after(() => {
    killAllArcas();
    removeDataDirs();
  });

  /** The codes of a few requests signed by `credentials`, spread over both workers. */
  async function codesFor(credentials: Credentials, action = 'ListKeys', params: Record<string, string> = {}): Promise<string[]> {
    const seen: string[] = [];
    for (let i = 0; i < REQUESTS_PER_CHECK; i++) {
      const response = await callAcs3(arca, credentials, action, params);
      seen.push(response.status === 200 ? 'OK' : String(response.json?.Code));
    }
    return seen;
  }

  const all = (code: string): string[] => Array(REQUESTS_PER_CHECK).fill(code);

  it('manages a user: CreateUser, GetUser, UpdateUser, ListUsers', async () => {
    const created = await ram.createUser(new R.CreateUserRequest({ userName: 'app', displayName: 'App', comments: 'an application' }));
    assert.equal(created.statusCode, 200);
    assert.equal(created.body.user.userName, 'app');
    assert.equal(created.body.user.displayName, 'App');
    assert.match(created.body.user.userId, /^\d{16}$/);
    assert.equal(typeof created.body.requestId, 'string');
    const got = await ram.getUser(new R.GetUserRequest({ userName: 'app' }));
    assert.equal(got.body.user.comments, 'an application');
    const updated = await ram.updateUser(new R.UpdateUserRequest({ userName: 'app', newDisplayName: 'App2' }));
    assert.equal(updated.body.user.displayName, 'App2');
    const listed = await ram.listUsers(new R.ListUsersRequest({ maxItems: 10 }));
    assert.deepEqual(
      listed.body.users.user.map((user: any) => user.userName),
      ['app'],
    );
    assert.equal(listed.body.isTruncated, false);
    assert.deepEqual(await refusal(ram.createUser(new R.CreateUserRequest({ userName: 'app' }))), {
      code: 'EntityAlreadyExists.User',
      status: 409,
    });
  });

  it('manages access keys: the secret once, at most two, Inactive and deleted refused at once on both workers', async () => {
    const created = await ram.createAccessKey(new R.CreateAccessKeyRequest({ userName: 'app' }));
    const key: Credentials = { accessKeyId: created.body.accessKey.accessKeyId, accessKeySecret: created.body.accessKey.accessKeySecret };
    assert.equal(created.body.accessKey.status, 'Active');
    const second = await ram.createAccessKey(new R.CreateAccessKeyRequest({ userName: 'app' }));
    assert.deepEqual(await refusal(ram.createAccessKey(new R.CreateAccessKeyRequest({ userName: 'app' }))), {
      code: 'LimitExceeded.User.AccessKey',
      status: 409,
    });
    const listed = await ram.listAccessKeys(new R.ListAccessKeysRequest({ userName: 'app' }));
    assert.deepEqual(
      listed.body.accessKeys.accessKey.map((k: any) => k.accessKeyId).sort(),
      [key.accessKeyId, second.body.accessKey.accessKeyId].sort(),
    );
    assert.equal(
      listed.body.accessKeys.accessKey.some((k: any) => k.accessKeySecret !== undefined),
      false,
    );

    // Authenticated as the RAM user, which has no policy yet: refused by the policy check.
    assert.deepEqual(await codesFor(key), Array(REQUESTS_PER_CHECK).fill('Forbidden.RAM'));
    await ram.updateAccessKey(new R.UpdateAccessKeyRequest({ userName: 'app', userAccessKeyId: key.accessKeyId, status: 'Inactive' }));
    assert.deepEqual(await codesFor(key), Array(REQUESTS_PER_CHECK).fill('InvalidAccessKeyId.NotFound'));
    await ram.updateAccessKey(new R.UpdateAccessKeyRequest({ userName: 'app', userAccessKeyId: key.accessKeyId, status: 'Active' }));
    assert.deepEqual(await codesFor(key), Array(REQUESTS_PER_CHECK).fill('Forbidden.RAM'));
    await ram.deleteAccessKey(new R.DeleteAccessKeyRequest({ userName: 'app', userAccessKeyId: key.accessKeyId }));
    assert.deepEqual(await codesFor(key), Array(REQUESTS_PER_CHECK).fill('InvalidAccessKeyId.NotFound'));
    await ram.deleteAccessKey(new R.DeleteAccessKeyRequest({ userName: 'app', userAccessKeyId: second.body.accessKey.accessKeyId }));
  });

  it('manages policies: CreatePolicy, versions, GetPolicy, ListPolicies, attach to the user', async () => {
    const created = await ram.createPolicy(
      new R.CreatePolicyRequest({ policyName: 'AppEncrypt', policyDocument: ENCRYPT_ONLY, description: 'encrypt only' }),
    );
    assert.equal(created.body.policy.defaultVersion, 'v1');
    assert.equal(created.body.policy.policyType, 'Custom');
    const malformed = await refusal(
      ram.createPolicy(
        new R.CreatePolicyRequest({ policyName: 'Bad', policyDocument: '{"Version":"1","Statement":[{"Effect":"Permit"}]}' }),
      ),
    );
    assert.deepEqual(malformed, { code: 'MalformedPolicyDocument', status: 400 });

    const version = await ram.createPolicyVersion(
      new R.CreatePolicyVersionRequest({ policyName: 'AppEncrypt', policyDocument: ENCRYPT_ONLY, setAsDefault: true }),
    );
    assert.equal(version.body.policyVersion.versionId, 'v2');
    assert.equal(version.body.policyVersion.isDefaultVersion, true);
    const versions = await ram.listPolicyVersions(new R.ListPolicyVersionsRequest({ policyName: 'AppEncrypt', policyType: 'Custom' }));
    assert.deepEqual(
      versions.body.policyVersions.policyVersion.map((v: any) => [v.versionId, v.isDefaultVersion]),
      [
        ['v1', false],
        ['v2', true],
      ],
    );
    await ram.deletePolicyVersion(new R.DeletePolicyVersionRequest({ policyName: 'AppEncrypt', versionId: 'v1' }));

    await ram.attachPolicyToUser(new R.AttachPolicyToUserRequest({ userName: 'app', policyName: 'AppEncrypt', policyType: 'Custom' }));
    const got = await ram.getPolicy(new R.GetPolicyRequest({ policyName: 'AppEncrypt', policyType: 'Custom' }));
    assert.equal(got.body.policy.attachmentCount, 1);
    assert.equal(got.body.defaultPolicyVersion.policyDocument, ENCRYPT_ONLY);
    const forUser = await ram.listPoliciesForUser(new R.ListPoliciesForUserRequest({ userName: 'app' }));
    assert.deepEqual(
      forUser.body.policies.policy.map((p: any) => [p.policyName, p.policyType]),
      [['AppEncrypt', 'Custom']],
    );
    const all = await ram.listPolicies(new R.ListPoliciesRequest({ policyType: 'Custom' }));
    assert.deepEqual(
      all.body.policies.policy.map((p: any) => p.policyName),
      ['AppEncrypt'],
    );
    assert.deepEqual(await refusal(ram.deleteUser(new R.DeleteUserRequest({ userName: 'app' }))), {
      code: 'DeleteConflict.User.Policy',
      status: 409,
    });
  });

  it('manages groups: CreateGroup, AddUserToGroup, AttachPolicyToGroup, ListGroupsForUser, and undoes them', async () => {
    const group = await ram.createGroup(new R.CreateGroupRequest({ groupName: 'apps', comments: 'applications' }));
    assert.equal(group.body.group.groupName, 'apps');
    await ram.addUserToGroup(new R.AddUserToGroupRequest({ userName: 'app', groupName: 'apps' }));
    await ram.attachPolicyToGroup(
      new R.AttachPolicyToGroupRequest({ groupName: 'apps', policyName: 'AliyunKMSFullAccess', policyType: 'System' }),
    );
    const groups = await ram.listGroupsForUser(new R.ListGroupsForUserRequest({ userName: 'app' }));
    assert.deepEqual(
      groups.body.groups.group.map((g: any) => g.groupName),
      ['apps'],
    );
    assert.deepEqual(await refusal(ram.addUserToGroup(new R.AddUserToGroupRequest({ userName: 'app', groupName: 'apps' }))), {
      code: 'EntityAlreadyExists.User.Group',
      status: 409,
    });
    await ram.detachPolicyFromGroup(
      new R.DetachPolicyFromGroupRequest({ groupName: 'apps', policyName: 'AliyunKMSFullAccess', policyType: 'System' }),
    );
    await ram.removeUserFromGroup(new R.RemoveUserFromGroupRequest({ userName: 'app', groupName: 'apps' }));
    assert.deepEqual((await ram.listGroupsForUser(new R.ListGroupsForUserRequest({ userName: 'app' }))).body.groups.group, []);
  });

  it('a policy attached, detached, held through a group or given a new default version is in force from the next request, on both workers', async () => {
    const keyId = (await callOk(arca, admin, 'CreateKey', {})).KeyMetadata.KeyId as string;
    const created = await ram.createAccessKey(new R.CreateAccessKeyRequest({ userName: 'app' }));
    const key: Credentials = { accessKeyId: created.body.accessKey.accessKeyId, accessKeySecret: created.body.accessKey.accessKeySecret };
    const encrypt = (): Promise<string[]> =>
      codesFor(key, 'Encrypt', { KeyId: keyId, Plaintext: Buffer.from('payroll').toString('base64') });

    // AppEncrypt is attached to the user (the policies test): Encrypt, and nothing else.
    assert.deepEqual(await encrypt(), all('OK'));
    const blob = (await callOk(arca, key, 'Encrypt', { KeyId: keyId, Plaintext: 'cGF5cm9sbA==' })).CiphertextBlob as string;
    assert.deepEqual(await codesFor(key, 'Decrypt', { CiphertextBlob: blob }), all('Forbidden.RAM'));
    assert.equal((await callOk(arca, admin, 'Decrypt', { CiphertextBlob: blob })).Plaintext, 'cGF5cm9sbA==');

    await ram.detachPolicyFromUser(new R.DetachPolicyFromUserRequest({ userName: 'app', policyName: 'AppEncrypt', policyType: 'Custom' }));
    assert.deepEqual(await encrypt(), all('Forbidden.RAM'));

    await ram.attachPolicyToGroup(new R.AttachPolicyToGroupRequest({ groupName: 'apps', policyName: 'AppEncrypt', policyType: 'Custom' }));
    assert.deepEqual(await encrypt(), all('Forbidden.RAM'), 'not a member yet');
    await ram.addUserToGroup(new R.AddUserToGroupRequest({ userName: 'app', groupName: 'apps' }));
    assert.deepEqual(await encrypt(), all('OK'));
    await ram.removeUserFromGroup(new R.RemoveUserFromGroupRequest({ userName: 'app', groupName: 'apps' }));
    assert.deepEqual(await encrypt(), all('Forbidden.RAM'));

    await ram.attachPolicyToUser(new R.AttachPolicyToUserRequest({ userName: 'app', policyName: 'AppEncrypt', policyType: 'Custom' }));
    assert.deepEqual(await encrypt(), all('OK'));
    const denyAll = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Deny', Action: 'kms:*', Resource: '*' }] });
    await ram.createPolicyVersion(
      new R.CreatePolicyVersionRequest({ policyName: 'AppEncrypt', policyDocument: denyAll, setAsDefault: true }),
    );
    assert.deepEqual(await encrypt(), all('Forbidden.RAM'));

    await ram.detachPolicyFromGroup(
      new R.DetachPolicyFromGroupRequest({ groupName: 'apps', policyName: 'AppEncrypt', policyType: 'Custom' }),
    );
    await ram.deleteAccessKey(new R.DeleteAccessKeyRequest({ userName: 'app', userAccessKeyId: key.accessKeyId }));
  });

  it('deletes what it made: DetachPolicyFromUser, DeletePolicy, DeleteUser', async () => {
    await ram.detachPolicyFromUser(new R.DetachPolicyFromUserRequest({ userName: 'app', policyName: 'AppEncrypt', policyType: 'Custom' }));
    await ram.deletePolicy(new R.DeletePolicyRequest({ policyName: 'AppEncrypt', cascadingDelete: true }));
    await ram.deleteUser(new R.DeleteUserRequest({ userName: 'app' }));
    assert.deepEqual(await refusal(ram.getUser(new R.GetUserRequest({ userName: 'app' }))), { code: 'EntityNotExist.User', status: 404 });
  });
});
