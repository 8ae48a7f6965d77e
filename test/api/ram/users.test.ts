import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createInjectApi, type InjectApi } from '../../support/inject-api.js';
import { ISO_SECOND, ramCaller, refusal } from './support.js';

describe('RAM users (CreateUser, GetUser, UpdateUser, ListUsers, DeleteUser)', () => {
  let api: InjectApi;
  let ram: ReturnType<typeof ramCaller>;

  beforeEach(async () => {
    api = await createInjectApi();
    ram = ramCaller(api);
  });
  afterEach(() => api.close());

  it('CreateUser answers the user in RAM’s shape; GetUser reads it back', async () => {
    const created = await ram('CreateUser', {
      UserName: 'alice',
      DisplayName: 'Alice',
      Email: 'alice@example.com',
      MobilePhone: '86-18600008888',
      Comments: 'app',
    });
    assert.equal(created.statusCode, 200, created.text);
    const user = created.json.User;
    assert.match(user.UserId, /^[1-9]\d{15}$/);
    assert.deepEqual(
      { ...user, UserId: undefined, CreateDate: undefined, UpdateDate: undefined },
      {
        UserId: undefined,
        UserName: 'alice',
        DisplayName: 'Alice',
        Email: 'alice@example.com',
        MobilePhone: '86-18600008888',
        Comments: 'app',
        CreateDate: undefined,
        UpdateDate: undefined,
      },
    );
    assert.match(user.CreateDate, ISO_SECOND);
    assert.equal(typeof created.json.RequestId, 'string');
    const got = await ram('GetUser', { UserName: 'alice' });
    assert.deepEqual(got.json.User, user);
  });

  it('a user without DisplayName gets its UserName as one', async () => {
    const created = await ram('CreateUser', { UserName: 'bob' });
    assert.equal(created.json.User.DisplayName, 'bob');
  });

  it('refuses a taken name, a bad name and a missing one with RAM’s codes', async () => {
    await ram('CreateUser', { UserName: 'alice' });
    assert.deepEqual(refusal(await ram('CreateUser', { UserName: 'alice' })), { status: 409, code: 'EntityAlreadyExists.User' });
    const bad = await ram('CreateUser', { UserName: 'al ice' });
    assert.deepEqual(refusal(bad), { status: 400, code: 'InvalidParameter' });
    assert.match(bad.json.Message, /UserName/);
    assert.deepEqual(refusal(await ram('CreateUser', { UserName: 'a'.repeat(65) })), { status: 400, code: 'InvalidParameter' });
    assert.deepEqual(refusal(await ram('CreateUser', {})), { status: 400, code: 'MissingParameter' });
    assert.deepEqual(refusal(await ram('GetUser', { UserName: 'nobody' })), { status: 404, code: 'EntityNotExist.User' });
  });

  it('UpdateUser renames and changes only what it is given', async () => {
    await ram('CreateUser', { UserName: 'alice', Comments: 'keep' });
    const updated = await ram('UpdateUser', { UserName: 'alice', NewUserName: 'alice2', NewDisplayName: 'Alice2' });
    assert.equal(updated.statusCode, 200, updated.text);
    assert.equal(updated.json.User.UserName, 'alice2');
    assert.equal(updated.json.User.DisplayName, 'Alice2');
    assert.equal(updated.json.User.Comments, 'keep');
    assert.deepEqual(refusal(await ram('GetUser', { UserName: 'alice' })), { status: 404, code: 'EntityNotExist.User' });
    await ram('CreateUser', { UserName: 'bob' });
    assert.deepEqual(refusal(await ram('UpdateUser', { UserName: 'bob', NewUserName: 'alice2' })), {
      status: 409,
      code: 'EntityAlreadyExists.User',
    });
  });

  it('ListUsers pages with MaxItems and Marker', async () => {
    for (const name of ['carol', 'alice', 'bob']) await ram('CreateUser', { UserName: name });
    const first = await ram('ListUsers', { MaxItems: 2 });
    assert.deepEqual(
      first.json.Users.User.map((u: { UserName: string }) => u.UserName),
      ['alice', 'bob'],
    );
    assert.equal(first.json.IsTruncated, true);
    const second = await ram('ListUsers', { MaxItems: 2, Marker: first.json.Marker });
    assert.deepEqual(
      second.json.Users.User.map((u: { UserName: string }) => u.UserName),
      ['carol'],
    );
    assert.equal(second.json.IsTruncated, false);
    assert.deepEqual(refusal(await ram('ListUsers', { MaxItems: 1001 })), { status: 400, code: 'InvalidParameter' });
  });

  it('answers in Alibaba’s XML with Format=XML, lists as repeated elements', async () => {
    await ram('CreateUser', { UserName: 'alice' });
    await ram('CreateUser', { UserName: 'bob' });
    const response = await ram('ListUsers', { Format: 'XML' });
    assert.equal(response.statusCode, 200);
    assert.match(response.text, /^<\?xml version='1\.0' encoding='UTF-8'\?><ListUsersResponse><Users><User><UserId>/);
    assert.match(response.text, /<UserName>alice<\/UserName>.*<\/User><User>.*<UserName>bob<\/UserName>/);
    assert.match(response.text, /<IsTruncated>false<\/IsTruncated>/);
  });

  it('DeleteUser deletes, and an unknown user is EntityNotExist.User', async () => {
    await ram('CreateUser', { UserName: 'alice' });
    assert.equal((await ram('DeleteUser', { UserName: 'alice' })).statusCode, 200);
    assert.deepEqual(refusal(await ram('DeleteUser', { UserName: 'alice' })), { status: 404, code: 'EntityNotExist.User' });
  });

  it('is audited as ram:<Action> on the user’s Arn', async () => {
    await ram('CreateUser', { UserName: 'alice' });
    const event = api.auditEvents.at(-1);
    assert.equal(event?.action, 'ram:CreateUser');
    assert.equal(event?.result, 'Success');
    assert.deepEqual(event?.resources, [{ role: 'user', arn: `acs:ram::${api.accountId}:user/alice` }]);
  });

  it('an unknown action under RAM’s version does not exist; KMS actions are not RAM’s', async () => {
    assert.deepEqual(refusal(await ram('CreateRole', { RoleName: 'x' })), { status: 404, code: 'InvalidAction.NotFound' });
    assert.deepEqual(refusal(await ram('ListKeys')), { status: 404, code: 'InvalidAction.NotFound' });
  });
});
