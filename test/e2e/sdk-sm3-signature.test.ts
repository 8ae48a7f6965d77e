// The SDK cores configured with signatureAlgorithm 'ACS3-HMAC-SM3' (SM3 body and canonical hashes,
// HMAC-SM3 signature) against a real Arca, with an SM4 key: openapi-core 1.0.8 as the 3.x SDK
// calls it, and openapi-client 0.4.15 as the 2.x SDK does.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';

import { openApiClientCaller, v3Caller } from '../support/clients.js';
import { startTestServer, TEST_ACCESS_KEY_ID, type TestServer } from '../support/server.js';
import { assertRequestId, base64Bytes, keyArnOf, LOWER_UUID } from './support-sdk-assertions.js';

type Call = (action: string, query: Record<string, unknown>) => Promise<any>;
type CallerFactory = (server: TestServer, options: { signatureAlgorithm?: string; credentials?: any }) => Call;

/** How a request arrived at Arca: its action, the algorithm named in Authorization, its body hash. */
interface SeenRequest {
  readonly action: string;
  readonly algorithm: string;
  readonly bodyHash: string;
}

const SM3_OF_NOTHING = createHash('sm3').update(Buffer.alloc(0)).digest('hex');

let server: TestServer;
const seen: SeenRequest[] = [];

// Arca's own HTTP server announces each request it receives here (this process runs it), so the
// test sees the wire as Arca got it, not what the SDK was asked to do.
function recordRequest(message: unknown): void {
  const request = (message as { request: IncomingMessage }).request;
  if (request.socket.localPort !== server.port) return;
  seen.push({
    action: String(request.headers['x-acs-action']),
    algorithm: String(request.headers.authorization).split(' ')[0] ?? '',
    bodyHash: String(request.headers['x-acs-content-sha256']),
  });
}

before(async () => {
  server = await startTestServer();
  subscribe('http.server.request.start', recordRequest);
});

after(async () => {
  unsubscribe('http.server.request.start', recordRequest);
  await server.close();
});

const SDK_CORES: ReadonlyArray<readonly [string, CallerFactory]> = [
  ['openapi-core 1.0.8 (the 3.x SDK)', v3Caller],
  ['openapi-client 0.4.15 (the 2.x SDK)', openApiClientCaller],
];

for (const [core, callerFor] of SDK_CORES) {
  describe(`ACS3-HMAC-SM3 through ${core}`, () => {
    it('creates an Aliyun_SM4 key, encrypts and decrypts with a context, and generates a data key', async () => {
      const call = callerFor(server, { signatureAlgorithm: 'ACS3-HMAC-SM3' });
      const firstSeen = seen.length;

      const created = await call('CreateKey', { KeySpec: 'Aliyun_SM4', Description: 'signed with HMAC-SM3' });
      assertRequestId(created);
      const key = created.KeyMetadata;
      assert.match(key.KeyId, LOWER_UUID);
      assert.equal(key.Arn, keyArnOf(key.KeyId));
      assert.equal(key.KeySpec, 'Aliyun_SM4');
      assert.equal(key.Description, 'signed with HMAC-SM3');

      const encrypted = await call('Encrypt', {
        KeyId: key.KeyId,
        Plaintext: "sm3 secret: a+b/c= d*()'!~ 汉字",
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
      assert.equal(decrypted.Plaintext, "sm3 secret: a+b/c= d*()'!~ 汉字");
      assert.equal(decrypted.KeyId, key.KeyId);

      const dataKey = await call('GenerateDataKey', { KeyId: key.KeyId, NumberOfBytes: 16, EncryptionContext: { file: 'a.bin' } });
      assertRequestId(dataKey);
      assert.equal(dataKey.KeyId, key.KeyId);
      assert.equal(base64Bytes(dataKey.Plaintext).length, 16);
      const unsealed = await call('Decrypt', { CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: { file: 'a.bin' } });
      assert.equal(unsealed.Plaintext, dataKey.Plaintext);

      // Every call reached Arca signed with ACS3-HMAC-SM3, its (empty) body hashed with SM3.
      assert.deepEqual(
        seen.slice(firstSeen),
        ['CreateKey', 'Encrypt', 'Decrypt', 'GenerateDataKey', 'Decrypt'].map((action) => ({
          action,
          algorithm: 'ACS3-HMAC-SM3',
          bodyHash: SM3_OF_NOTHING,
        })),
      );
    });

    it('interoperates with ACS3-HMAC-SHA256 calls on the same key', async () => {
      const sm3 = callerFor(server, { signatureAlgorithm: 'ACS3-HMAC-SM3' });
      const sha256 = callerFor(server, {});
      const firstSeen = seen.length;
      const key = (await sm3('CreateKey', { KeySpec: 'Aliyun_SM4' })).KeyMetadata;
      const sealedSm3 = await sm3('Encrypt', { KeyId: key.KeyId, Plaintext: 'from sm3' });
      assert.equal((await sha256('Decrypt', { CiphertextBlob: sealedSm3.CiphertextBlob })).Plaintext, 'from sm3');
      const sealedSha256 = await sha256('Encrypt', { KeyId: key.KeyId, Plaintext: 'from sha256' });
      assert.equal((await sm3('Decrypt', { CiphertextBlob: sealedSha256.CiphertextBlob })).Plaintext, 'from sha256');
      assert.deepEqual(
        seen.slice(firstSeen).map((request) => request.algorithm),
        ['ACS3-HMAC-SM3', 'ACS3-HMAC-SM3', 'ACS3-HMAC-SHA256', 'ACS3-HMAC-SHA256', 'ACS3-HMAC-SM3'],
      );
    });

    it('refuses a request signed with the wrong secret with SignatureDoesNotMatch', async () => {
      const forged = callerFor(server, {
        signatureAlgorithm: 'ACS3-HMAC-SM3',
        credentials: { accessKeyId: TEST_ACCESS_KEY_ID, accessKeySecret: 'not-the-secret' },
      });
      const firstSeen = seen.length;
      await assert.rejects(forged('DescribeRegions', {}), (error: any) => {
        assert.equal(error.code, 'SignatureDoesNotMatch', String(error));
        assert.equal(error.statusCode ?? error.data?.statusCode, 400, String(error));
        assert.equal(error.data?.Code, 'SignatureDoesNotMatch');
        return true;
      });
      assert.equal(seen[firstSeen]?.algorithm, 'ACS3-HMAC-SM3');
    });
  });
}
