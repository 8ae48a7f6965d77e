// A RAM user's access key against a real server (real HTTP, SQLite, the official SDKs): the key
// policy the administrator set (persisted, across a restart) alone lets the RAM user Encrypt and
// Decrypt under one key, and anything else answers 403 Forbidden.RAM naming the action. The RAM
// user's access key is put in the store directly: the RAM API that makes one is the other half of
// issue 13.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { openDataDirectory } from '../../src/bootstrap/open-data-directory.js';
import { DEFAULT_CONFIG } from '../../src/config/arca-config.js';
import { SealPurpose } from '../../src/domain/seal-purposes.js';
import { KmsModels, v1Client, v3Caller } from '../support/clients.js';
import { startTestServer, TEST_ACCOUNT_ID, type TestServer } from '../support/server.js';
import { expectV1Error, expectV3Error } from './support-sdk-assertions.js';

const APP = { accessKeyId: 'LTAIe2eRamUserApplication', accessKeySecret: 'e2eSecretOfTheApplicationUser1' };
const APP_ARN = `acs:ram::${TEST_ACCOUNT_ID}:user/app`;
const M: any = KmsModels;

let server: TestServer;
let keyId = '';
let otherKeyId = '';
let policy = '';

before(async () => {
  const first = await startTestServer();
  const admin = v3Caller(first);
  keyId = (await admin('CreateKey', {})).KeyMetadata.KeyId;
  otherKeyId = (await admin('CreateKey', {})).KeyMetadata.KeyId;
  policy = JSON.stringify({
    Version: '1',
    Statement: [
      { Sid: 'app uses the key', Effect: 'Allow', Principal: { RAM: [APP_ARN] }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' },
    ],
  });
  await admin('SetKeyPolicy', { KeyId: keyId, PolicyName: 'default', Policy: policy });
  await first.close({ keepData: true });

  const opened = await openDataDirectory({ ...DEFAULT_CONFIG, dataDir: first.dataDir }, {}, pino({ level: 'silent' }));
  try {
    const sealedSecret = await opened.rootKey.seal(Buffer.from(APP.accessKeySecret, 'utf8'), SealPurpose.AccessKeySecret, APP.accessKeyId);
    await opened.store.putAccessKey({
      accessKeyId: APP.accessKeyId,
      sealedSecret,
      principal: APP_ARN,
      enabled: true,
      creationDate: Date.now(),
    });
  } finally {
    await opened.close();
  }
  server = await startTestServer({ dataDir: first.dataDir });
});

after(async () => {
  await server?.close();
});

describe('a RAM user allowed by the key policy alone', () => {
  it('keeps the key policy across the restart', async () => {
    assert.equal((await v3Caller(server)('GetKeyPolicy', { KeyId: keyId })).Policy, policy);
  });

  it('encrypts and decrypts under the key with the 3.x SDK path (ACS3-HMAC-SHA256)', async () => {
    const app = v3Caller(server, { credentials: APP });
    const encrypted = await app('Encrypt', { KeyId: keyId, Plaintext: 'application secret' });
    assert.equal(encrypted.KeyId, keyId);
    assert.equal((await app('Decrypt', { CiphertextBlob: encrypted.CiphertextBlob })).Plaintext, 'application secret');
  });

  it('encrypts and decrypts with the npm 1.2.0 client (HMAC-SHA1)', async () => {
    const client = v1Client(server, APP);
    const encrypted = await client.encrypt(new M.EncryptRequest({ keyId, plaintext: 'via v1' }));
    const decrypted = await client.decrypt(new M.DecryptRequest({ ciphertextBlob: encrypted.ciphertextBlob }));
    assert.equal(decrypted.plaintext, 'via v1');
  });

  it('is refused anything else with 403 Forbidden.RAM naming the action, through either SDK', async () => {
    const app = v3Caller(server, { credentials: APP });
    const message = (action: string) =>
      `User not authorized to operate on the specified resource, or this API does not support RAM: ${action} is not allowed.`;
    await expectV3Error(app('DescribeKey', { KeyId: keyId }), {
      code: 'Forbidden.RAM',
      statusCode: 403,
      message: message('kms:DescribeKey'),
    });
    await expectV3Error(app('Encrypt', { KeyId: otherKeyId, Plaintext: 'x' }), {
      code: 'Forbidden.RAM',
      statusCode: 403,
      message: message('kms:Encrypt'),
    });
    await expectV3Error(app('SetKeyPolicy', { KeyId: keyId, Policy: policy }), { code: 'Forbidden.RAM', statusCode: 403 });
    await expectV1Error(v1Client(server, APP).scheduleKeyDeletion(new M.ScheduleKeyDeletionRequest({ keyId, pendingWindowInDays: 7 })), {
      code: 'Forbidden.RAM',
      statusCode: 403,
    });
    assert.equal((await v3Caller(server)('DescribeKey', { KeyId: keyId })).KeyMetadata.KeyState, 'Enabled');
  });
});
