// Least privilege with the official RAM SDK against Arca: the administrator makes a RAM user whose
// one access key may only Encrypt and Decrypt under one key, then that key is used and refused.
//
// It imports four packages, all devDependencies of Arca's package.json (so `npm install` in a
// checkout brings them); elsewhere:
// npm install @alicloud/ram20150501@^1.2.1 @alicloud/openapi-core@1.0.8 @alicloud/kms20160120@1.2.0 @alicloud/rpc-client@^1.3.2
//
//   ARCA_ENDPOINT=127.0.0.1:8080 ARCA_ACCESS_KEY_ID=… ARCA_ACCESS_KEY_SECRET=… KEY_ID=<a key id> \
//   node examples/ram-least-privilege.mjs
//
// The credentials are the administrator's (data/admin-access-key.json); KEY_ID is the one key the
// new user may use. Only the endpoint differs from a call to Alibaba Cloud's RAM.
import RamModule, * as Ram from '@alicloud/ram20150501';
import * as OpenApi from '@alicloud/openapi-core';
import KmsModule, * as Kms from '@alicloud/kms20160120';
import * as RPC from '@alicloud/rpc-client';

const endpoint = process.env.ARCA_ENDPOINT ?? '127.0.0.1:8080';
const keyId = process.env.KEY_ID;
if (!keyId) throw new Error('set KEY_ID to the key the user may use');
const settings = { endpoint, protocol: 'http', regionId: 'cn-hangzhou' };
const RamClient = RamModule.default ?? RamModule;
const KmsClient = KmsModule.default ?? KmsModule;

const ram = new RamClient(
  new OpenApi.$OpenApiUtil.Config({
    ...settings,
    accessKeyId: process.env.ARCA_ACCESS_KEY_ID,
    accessKeySecret: process.env.ARCA_ACCESS_KEY_SECRET,
  }),
);
const userName = `payroll-${Date.now()}`;
const policyName = `PayrollCrypto${Date.now()}`;
const document = JSON.stringify({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: [`acs:kms:*:*:key/${keyId}`] }],
});
await ram.createUser(new Ram.CreateUserRequest({ userName, comments: 'the payroll service' }));
await ram.createPolicy(new Ram.CreatePolicyRequest({ policyName, policyDocument: document }));
await ram.attachPolicyToUser(new Ram.AttachPolicyToUserRequest({ userName, policyName, policyType: 'Custom' }));
const { accessKey } = (await ram.createAccessKey(new Ram.CreateAccessKeyRequest({ userName }))).body;

// The application's client: the user's key, nothing else.
const kms = new KmsClient(new RPC.Config({ ...settings, accessKeyId: accessKey.accessKeyId, accessKeySecret: accessKey.accessKeySecret }));
const sealed = await kms.encrypt(new Kms.EncryptRequest({ keyId, plaintext: 'salary: 4200' }));
const opened = await kms.decrypt(new Kms.DecryptRequest({ ciphertextBlob: sealed.ciphertextBlob }));
console.log(`as ${userName}: Encrypt and Decrypt under ${keyId}: ${opened.plaintext}`);
try {
  await kms.createKey(new Kms.CreateKeyRequest({}));
  throw new Error('CreateKey was allowed');
} catch (error) {
  console.log(`as ${userName}: CreateKey refused: ${error.data?.Code ?? error.code}`);
}
