// Encrypt and decrypt with the official Alibaba Cloud KMS SDK for Node.js against Arca.
//
// It imports two packages, both devDependencies of Arca's package.json (so `npm install` in a
// checkout brings them); elsewhere: npm install @alicloud/kms20160120@1.2.0 @alicloud/rpc-client@^1.3.2
//
//   ARCA_ENDPOINT=127.0.0.1:8080 ARCA_ACCESS_KEY_ID=… ARCA_ACCESS_KEY_SECRET=… node examples/quickstart.mjs
//
// The credentials are the administrator key Arca printed on its first start (also in
// data/admin-access-key.json). Only the endpoint differs from a call to Alibaba Cloud.
import KmsClient, * as Kms from '@alicloud/kms20160120';
import * as RPC from '@alicloud/rpc-client';

const Client = KmsClient.default ?? KmsClient;
const client = new Client(
  new RPC.Config({
    accessKeyId: process.env.ARCA_ACCESS_KEY_ID,
    accessKeySecret: process.env.ARCA_ACCESS_KEY_SECRET,
    endpoint: process.env.ARCA_ENDPOINT ?? '127.0.0.1:8080',
    protocol: 'http',
    regionId: 'cn-hangzhou',
  }),
);

const { keyMetadata } = await client.createKey(new Kms.CreateKeyRequest({ keySpec: 'Aliyun_AES_256', description: 'quickstart' }));
console.log('created key', keyMetadata.keyId);

const context = { app: 'quickstart' };
const encrypted = await client.encrypt(
  new Kms.EncryptRequest({ keyId: keyMetadata.keyId, plaintext: 'hello, Arca', encryptionContext: context }),
);
console.log('ciphertext', encrypted.ciphertextBlob);

// Decrypt needs no key id: the ciphertext names its key version.
const decrypted = await client.decrypt(new Kms.DecryptRequest({ ciphertextBlob: encrypted.ciphertextBlob, encryptionContext: context }));
console.log('plaintext', decrypted.plaintext);
