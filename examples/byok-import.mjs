// Bring your own key: import 32 bytes of your own AES-256 material into Arca with the official
// Alibaba Cloud KMS SDK for Node.js and Node's crypto, then use the key.
//
// It imports two packages, both devDependencies of Arca's package.json (so `npm install` in a
// checkout brings them); elsewhere: npm install @alicloud/kms20160120@1.2.0 @alicloud/rpc-client@^1.3.2
//
//   ARCA_ENDPOINT=127.0.0.1:8080 ARCA_ACCESS_KEY_ID=… ARCA_ACCESS_KEY_SECRET=… node examples/byok-import.mjs
//
// The same calls work against Alibaba Cloud KMS; only the endpoint differs.
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
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

// 1. A key whose material comes from you: it waits in PendingImport.
const { keyMetadata } = await client.createKey(new Kms.CreateKeyRequest({ keySpec: 'Aliyun_AES_256', origin: 'EXTERNAL' }));
console.log('created key', keyMetadata.keyId, keyMetadata.keyState);

// 2. A wrapping public key and an import token for it (valid 24 hours).
const params = await client.getParametersForImport(
  new Kms.GetParametersForImportRequest({ keyId: keyMetadata.keyId, wrappingKeySpec: 'RSA_2048', wrappingAlgorithm: 'RSAES_OAEP_SHA_256' }),
);
console.log('import token expires', params.tokenExpireTime);

// 3. Your material (here random; in practice from your HSM or key ceremony), wrapped with
//    RSAES-OAEP, SHA-256 and MGF1-SHA-256 under the public key (base64 DER SubjectPublicKeyInfo).
const material = randomBytes(32);
const wrappingKey = createPublicKey({ key: Buffer.from(params.publicKey, 'base64'), format: 'der', type: 'spki' });
const encryptedKeyMaterial = publicEncrypt({ key: wrappingKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);

// 4. Import it. KeyMaterialExpireUnix 0: it never expires (else unix seconds in the future).
await client.importKeyMaterial(
  new Kms.ImportKeyMaterialRequest({
    keyId: keyMetadata.keyId,
    importToken: params.importToken,
    encryptedKeyMaterial: encryptedKeyMaterial.toString('base64'),
    keyMaterialExpireUnix: 0,
  }),
);
const described = await client.describeKey(new Kms.DescribeKeyRequest({ keyId: keyMetadata.keyId }));
console.log('key state', described.keyMetadata.keyState, 'origin', described.keyMetadata.origin);

// 5. The key works like any other.
const { ciphertextBlob } = await client.encrypt(new Kms.EncryptRequest({ keyId: keyMetadata.keyId, plaintext: 'hello, BYOK' }));
const { plaintext } = await client.decrypt(new Kms.DecryptRequest({ ciphertextBlob }));
console.log('plaintext', plaintext);
material.fill(0);
