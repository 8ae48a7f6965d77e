import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createInjectApi, type InjectApi } from '../../support/inject-api.js';
import { ISO_SECOND, ramCaller, refusal } from './support.js';

describe('RAM access keys (CreateAccessKey, UpdateAccessKey, ListAccessKeys, DeleteAccessKey)', () => {
  let api: InjectApi;
  let ram: ReturnType<typeof ramCaller>;

  beforeEach(async () => {
    api = await createInjectApi();
    ram = ramCaller(api);
    await ram('CreateUser', { UserName: 'app' });
  });
  afterEach(() => api.close());

  async function createdKey(): Promise<{ accessKeyId: string; accessKeySecret: string }> {
    const response = await ram('CreateAccessKey', { UserName: 'app' });
    assert.equal(response.statusCode, 200, response.text);
    return { accessKeyId: response.json.AccessKey.AccessKeyId, accessKeySecret: response.json.AccessKey.AccessKeySecret };
  }

  it('CreateAccessKey returns the secret once; ListAccessKeys never shows it', async () => {
    const response = await ram('CreateAccessKey', { UserName: 'app' });
    const key = response.json.AccessKey;
    assert.match(key.AccessKeyId, /^LTAI[A-Za-z0-9]{20}$/);
    assert.match(key.AccessKeySecret, /^[A-Za-z0-9]{30}$/);
    assert.equal(key.Status, 'Active');
    assert.match(key.CreateDate, ISO_SECOND);
    const listed = await ram('ListAccessKeys', { UserName: 'app' });
    assert.deepEqual(listed.json.AccessKeys.AccessKey, [{ AccessKeyId: key.AccessKeyId, Status: 'Active', CreateDate: key.CreateDate }]);
    assert.equal(listed.text.includes(key.AccessKeySecret), false);
    const stored = await api.store.getAccessKey(key.AccessKeyId);
    assert.equal(stored?.principal, `acs:ram::${api.accountId}:user/app`);
    assert.equal(stored.sealedSecret.includes(Buffer.from(key.AccessKeySecret)), false, 'sealed at rest');
    for (const event of api.auditEvents) assert.equal(JSON.stringify(event).includes(key.AccessKeySecret), false, 'not in the audit trail');
  });

  it('a third key is LimitExceeded.User.AccessKey', async () => {
    await createdKey();
    await createdKey();
    assert.deepEqual(refusal(await ram('CreateAccessKey', { UserName: 'app' })), { status: 409, code: 'LimitExceeded.User.AccessKey' });
    assert.deepEqual(refusal(await ram('CreateAccessKey', { UserName: 'nobody' })), { status: 404, code: 'EntityNotExist.User' });
  });

  it('the key signs requests as the user, judged by its policies; Inactive and deleted keys are refused from the next request on', async () => {
    const key = await createdKey();
    // Authenticated as the RAM user, which has no policy yet.
    const asUser = await api.call('ListKeys', {}, { accessKey: key });
    assert.deepEqual(refusal(asUser), { status: 403, code: 'Forbidden.RAM' });
    assert.equal(api.auditEvents.at(-1)?.identity.principal, `acs:ram::${api.accountId}:user/app`);
    await ram('AttachPolicyToUser', { UserName: 'app', PolicyName: 'AliyunKMSFullAccess', PolicyType: 'System' });
    assert.equal((await api.call('ListKeys', {}, { accessKey: key })).statusCode, 200);

    assert.equal((await ram('UpdateAccessKey', { UserName: 'app', UserAccessKeyId: key.accessKeyId, Status: 'Inactive' })).statusCode, 200);
    assert.deepEqual(refusal(await api.call('ListKeys', {}, { accessKey: key })), { status: 404, code: 'InvalidAccessKeyId.NotFound' });
    const listed = await ram('ListAccessKeys', { UserName: 'app' });
    assert.equal(listed.json.AccessKeys.AccessKey[0].Status, 'Inactive');

    await ram('UpdateAccessKey', { UserName: 'app', UserAccessKeyId: key.accessKeyId, Status: 'Active' });
    assert.equal((await api.call('ListKeys', {}, { accessKey: key })).statusCode, 200);
    await ram('DetachPolicyFromUser', { UserName: 'app', PolicyName: 'AliyunKMSFullAccess', PolicyType: 'System' });
    assert.deepEqual(refusal(await api.call('ListKeys', {}, { accessKey: key })), { status: 403, code: 'Forbidden.RAM' });

    assert.equal((await ram('DeleteAccessKey', { UserName: 'app', UserAccessKeyId: key.accessKeyId })).statusCode, 200);
    assert.deepEqual(refusal(await api.call('ListKeys', {}, { accessKey: key })), { status: 404, code: 'InvalidAccessKeyId.NotFound' });
  });

  it('a user allowed ram:* manages users without being allowed any kms: action; AliyunRAMFullAccess grants exactly that', async () => {
    const key = await createdKey();
    await ram('AttachPolicyToUser', { UserName: 'app', PolicyName: 'AliyunRAMFullAccess', PolicyType: 'System' });
    const created = await ram('CreateUser', { UserName: 'made-by-app' }, { accessKey: key });
    assert.equal(created.statusCode, 200, created.text);
    assert.deepEqual(refusal(await api.call('ListKeys', {}, { accessKey: key })), { status: 403, code: 'Forbidden.RAM' });
    await ram('DetachPolicyFromUser', { UserName: 'app', PolicyName: 'AliyunRAMFullAccess', PolicyType: 'System' });
    assert.deepEqual(refusal(await ram('DeleteUser', { UserName: 'made-by-app' }, { accessKey: key })), {
      status: 403,
      code: 'Forbidden.RAM',
    });
    assert.equal(api.auditEvents.at(-1)?.action, 'ram:DeleteUser');
  });

  it('a renamed user’s keys sign as the new name', async () => {
    const key = await createdKey();
    await ram('UpdateUser', { UserName: 'app', NewUserName: 'app2' });
    await api.call('ListKeys', {}, { accessKey: key });
    assert.equal(api.auditEvents.at(-1)?.identity.principal, `acs:ram::${api.accountId}:user/app2`);
  });

  it('refuses a bad Status, and keys the user does not own', async () => {
    const key = await createdKey();
    assert.deepEqual(refusal(await ram('UpdateAccessKey', { UserName: 'app', UserAccessKeyId: key.accessKeyId, Status: 'active' })), {
      status: 400,
      code: 'InvalidParameter',
    });
    await ram('CreateUser', { UserName: 'other' });
    assert.deepEqual(refusal(await ram('DeleteAccessKey', { UserName: 'other', UserAccessKeyId: key.accessKeyId })), {
      status: 404,
      code: 'EntityNotExist.User.AccessKey',
    });
    assert.deepEqual(refusal(await ram('DeleteAccessKey', { UserName: 'app', UserAccessKeyId: 'LTAIinjectAdministrator1' })), {
      status: 404,
      code: 'EntityNotExist.User.AccessKey',
    });
  });

  it('DeleteUser is refused while the user has keys', async () => {
    const key = await createdKey();
    assert.deepEqual(refusal(await ram('DeleteUser', { UserName: 'app' })), { status: 409, code: 'DeleteConflict.User.AccessKey' });
    await ram('DeleteAccessKey', { UserName: 'app', UserAccessKeyId: key.accessKeyId });
    assert.equal((await ram('DeleteUser', { UserName: 'app' })).statusCode, 200);
  });
});
