import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createInjectApi, type InjectApi } from '../../support/inject-api.js';
import { ISO_SECOND, ramCaller, refusal } from './support.js';

const ENCRYPT_ONLY = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] });

describe('RAM groups (CreateGroup, AddUserToGroup, RemoveUserFromGroup, AttachPolicyToGroup, DetachPolicyFromGroup, ListGroupsForUser)', () => {
  let api: InjectApi;
  let ram: ReturnType<typeof ramCaller>;

  beforeEach(async () => {
    api = await createInjectApi();
    ram = ramCaller(api);
    await ram('CreateUser', { UserName: 'app' });
  });
  afterEach(() => api.close());

  it('CreateGroup answers the group; a taken name is EntityAlreadyExists.Group', async () => {
    const created = await ram('CreateGroup', { GroupName: 'ops', Comments: 'operators' });
    assert.equal(created.statusCode, 200, created.text);
    assert.equal(created.json.Group.GroupName, 'ops');
    assert.equal(created.json.Group.Comments, 'operators');
    assert.match(created.json.Group.GroupId, /^\d{16}$/);
    assert.match(created.json.Group.CreateDate, ISO_SECOND);
    assert.deepEqual(refusal(await ram('CreateGroup', { GroupName: 'ops' })), { status: 409, code: 'EntityAlreadyExists.Group' });
    assert.deepEqual(refusal(await ram('CreateGroup', { GroupName: 'o p' })), { status: 400, code: 'InvalidParameter' });
  });

  it('memberships: add, list, refuse twice, remove, refuse what is not', async () => {
    await ram('CreateGroup', { GroupName: 'ops' });
    assert.equal((await ram('AddUserToGroup', { UserName: 'app', GroupName: 'ops' })).statusCode, 200);
    assert.deepEqual(refusal(await ram('AddUserToGroup', { UserName: 'app', GroupName: 'ops' })), {
      status: 409,
      code: 'EntityAlreadyExists.User.Group',
    });
    assert.deepEqual(refusal(await ram('AddUserToGroup', { UserName: 'app', GroupName: 'nope' })), {
      status: 404,
      code: 'EntityNotExist.Group',
    });
    const listed = await ram('ListGroupsForUser', { UserName: 'app' });
    assert.equal(listed.json.Groups.Group.length, 1);
    assert.equal(listed.json.Groups.Group[0].GroupName, 'ops');
    assert.match(listed.json.Groups.Group[0].JoinDate, ISO_SECOND);
    assert.deepEqual(refusal(await ram('DeleteUser', { UserName: 'app' })), { status: 409, code: 'DeleteConflict.User.Group' });
    assert.equal((await ram('RemoveUserFromGroup', { UserName: 'app', GroupName: 'ops' })).statusCode, 200);
    assert.deepEqual(refusal(await ram('RemoveUserFromGroup', { UserName: 'app', GroupName: 'ops' })), {
      status: 404,
      code: 'EntityNotExist.User.Group',
    });
    assert.deepEqual((await ram('ListGroupsForUser', { UserName: 'app' })).json.Groups.Group, []);
  });

  it('a group’s policies are in force for its members, and out of force once detached or the member removed', async () => {
    await ram('CreateGroup', { GroupName: 'ops' });
    await ram('CreatePolicy', { PolicyName: 'EncryptOnly', PolicyDocument: ENCRYPT_ONLY });
    await ram('AddUserToGroup', { UserName: 'app', GroupName: 'ops' });
    assert.equal((await ram('AttachPolicyToGroup', { GroupName: 'ops', PolicyName: 'EncryptOnly', PolicyType: 'Custom' })).statusCode, 200);
    assert.deepEqual(refusal(await ram('AttachPolicyToGroup', { GroupName: 'ops', PolicyName: 'EncryptOnly', PolicyType: 'Custom' })), {
      status: 409,
      code: 'EntityAlreadyExists.Group.Policy',
    });
    const userArn = `acs:ram::${api.accountId}:user/app`;
    assert.deepEqual(
      (await api.identities.policiesOfUser(userArn)).map((p) => [p.policyName, p.versionId, p.document]),
      [['EncryptOnly', 'v1', ENCRYPT_ONLY]],
    );
    assert.deepEqual(refusal(await ram('DeletePolicy', { PolicyName: 'EncryptOnly' })), {
      status: 409,
      code: 'DeleteConflict.Policy.Group',
    });

    await ram('RemoveUserFromGroup', { UserName: 'app', GroupName: 'ops' });
    assert.deepEqual(await api.identities.policiesOfUser(userArn), []);
    await ram('AddUserToGroup', { UserName: 'app', GroupName: 'ops' });
    assert.equal((await api.identities.policiesOfUser(userArn)).length, 1);
    assert.equal(
      (await ram('DetachPolicyFromGroup', { GroupName: 'ops', PolicyName: 'EncryptOnly', PolicyType: 'Custom' })).statusCode,
      200,
    );
    assert.deepEqual(await api.identities.policiesOfUser(userArn), []);
    assert.deepEqual(refusal(await ram('DetachPolicyFromGroup', { GroupName: 'ops', PolicyName: 'EncryptOnly', PolicyType: 'Custom' })), {
      status: 404,
      code: 'EntityNotExist.Group.Policy',
    });
  });

  it('a new default version is in force from the next call on', async () => {
    await ram('CreatePolicy', { PolicyName: 'P', PolicyDocument: ENCRYPT_ONLY });
    await ram('AttachPolicyToUser', { UserName: 'app', PolicyName: 'P', PolicyType: 'Custom' });
    const userArn = `acs:ram::${api.accountId}:user/app`;
    assert.equal((await api.identities.policiesOfUser(userArn))[0]?.versionId, 'v1');
    const next = JSON.stringify({ Version: '1', Statement: [{ Effect: 'Deny', Action: 'kms:*', Resource: '*' }] });
    await ram('CreatePolicyVersion', { PolicyName: 'P', PolicyDocument: next, SetAsDefault: true });
    assert.deepEqual(
      (await api.identities.policiesOfUser(userArn)).map((p) => [p.versionId, p.document]),
      [['v2', next]],
    );
  });
});
