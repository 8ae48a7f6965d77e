// The current SDK configured with signatureAlgorithm 'v2': openapi-core's doRPCRequest, HMAC-SHA1
// signature 1.0 in the query of a POST (alibaba-kms-api.md §1.2, §1.4).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { v3Caller } from '../support/clients.js';
import { startTestServer, TEST_ACCESS_KEY_ID, type TestServer } from '../support/server.js';
import { assertRequestId, base64Bytes, expectV3Error, keyArnOf, LOWER_UUID } from './support-sdk-assertions.js';

type Call = (action: string, query: Record<string, unknown>) => Promise<any>;

let server: TestServer;
let call: Call;

before(async () => {
  server = await startTestServer();
  call = v3Caller(server, { signatureAlgorithm: 'v2' });
});

after(async () => {
  await server.close();
});

describe('HMAC-SHA1 (signatureAlgorithm v2) through openapi-core', () => {
  for (const keySpec of ['Aliyun_AES_256', 'Aliyun_SM4']) {
    it(`creates an ${keySpec} key, encrypts with a context and decrypts`, async () => {
      const created = await call('CreateKey', { KeySpec: keySpec, Description: 'signed with HMAC-SHA1' });
      assertRequestId(created);
      const key = created.KeyMetadata;
      assert.match(key.KeyId, LOWER_UUID);
      assert.equal(key.Arn, keyArnOf(key.KeyId));
      assert.equal(key.KeySpec, keySpec);
      assert.equal(key.Description, 'signed with HMAC-SHA1');

      const encrypted = await call('Encrypt', {
        KeyId: key.KeyId,
        Plaintext: "v2 secret: a+b/c= d*()'!~ 汉字",
        EncryptionContext: { order: '1001', 'customer id': 'c/7&x=y' },
      });
      assertRequestId(encrypted);
      assert.equal(encrypted.KeyId, key.KeyId);
      assert.equal(encrypted.KeyVersionId, key.PrimaryKeyVersion);
      base64Bytes(encrypted.CiphertextBlob);

      const decrypted = await call('Decrypt', {
        CiphertextBlob: encrypted.CiphertextBlob,
        EncryptionContext: { 'customer id': 'c/7&x=y', order: '1001' },
      });
      assertRequestId(decrypted);
      assert.equal(decrypted.Plaintext, "v2 secret: a+b/c= d*()'!~ 汉字");
      assert.equal(decrypted.KeyId, key.KeyId);
      assert.equal(decrypted.KeyVersionId, key.PrimaryKeyVersion);

      await expectV3Error(call('Decrypt', { CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { order: '1002' } }), {
        code: 'InvalidParameter',
        statusCode: 400,
      });
    });
  }

  it('interoperates with ACS3-signed calls on the same key', async () => {
    const acs3 = v3Caller(server);
    const key = (await acs3('CreateKey', {})).KeyMetadata;
    const sealedV2 = await call('Encrypt', { KeyId: key.KeyId, Plaintext: 'from v2', EncryptionContext: { k: 'v' } });
    assert.equal((await acs3('Decrypt', { CiphertextBlob: sealedV2.CiphertextBlob, EncryptionContext: { k: 'v' } })).Plaintext, 'from v2');
    const sealedAcs3 = await acs3('Encrypt', { KeyId: key.KeyId, Plaintext: 'from acs3' });
    assert.equal((await call('Decrypt', { CiphertextBlob: sealedAcs3.CiphertextBlob })).Plaintext, 'from acs3');
  });

  it('refuses a request signed with the wrong secret', async () => {
    const forged = v3Caller(server, {
      signatureAlgorithm: 'v2',
      credentials: { accessKeyId: TEST_ACCESS_KEY_ID, accessKeySecret: 'not-the-secret' },
    });
    const thrown = await expectV3Error(forged('DescribeRegions', {}), { code: 'SignatureDoesNotMatch', statusCode: 400 });
    assert.equal(thrown.data.Code, 'SignatureDoesNotMatch');
  });
});
