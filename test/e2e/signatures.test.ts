// Request signing over real HTTP, with a signer that shares no code with the server: both
// schemes, replay and clock-skew refusals, tampering after signing, and the shape of every error.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  acs3CanonicalRequest,
  acs3SignatureOf,
  callOk,
  encodeParams,
  send,
  sha256Hex,
  signAcs3,
  signV1,
  v1SignatureOf,
  v1StringToSign,
  type Credentials,
  type HttpResponse,
  type PreparedRequest,
} from '../support/acs3-signer.js';
import { startTestServer, TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET, type TestServer } from '../support/server.js';

const MINUTE_MS = 60_000;
const credentials: Credentials = { accessKeyId: TEST_ACCESS_KEY_ID, accessKeySecret: TEST_ACCESS_KEY_SECRET };

/**
 * A refusal in Alibaba's shape: JSON of exactly RequestId, HostId, Code, Message and Recommend,
 * the RequestId echoed in x-acs-request-id.
 */
function assertCatalogError(response: HttpResponse, status: number, code: string): void {
  assert.equal(response.status, status, `expected HTTP ${status} ${code}, got ${response.status} ${response.text}`);
  assert.ok(response.json !== undefined && typeof response.json === 'object', `error body is not JSON: ${response.text}`);
  assert.deepEqual(Object.keys(response.json), ['RequestId', 'HostId', 'Code', 'Message', 'Recommend'], response.text);
  assert.equal(response.json.Recommend, `/docs/errors.md?q=${code}`, response.text);
  assert.equal(response.json.Code, code, response.text);
  assert.equal(typeof response.json.Message, 'string');
  assert.ok(response.json.Message.length > 0, 'Message is empty');
  assert.equal(typeof response.json.RequestId, 'string');
  assert.ok(response.json.RequestId.length > 0, 'RequestId is empty');
  assert.equal(response.headers['x-acs-request-id'], response.json.RequestId, 'x-acs-request-id differs from RequestId');
  assert.match(String(response.headers['content-type']), /^application\/json/);
}

function assertSuccess(response: HttpResponse): any {
  assert.equal(response.status, 200, response.text);
  assert.equal(typeof response.json?.RequestId, 'string', response.text);
  assert.equal(response.headers['x-acs-request-id'], response.json.RequestId);
  return response.json;
}

describe('request signatures over HTTP', () => {
  let server: TestServer;
  let keyId: string;

  const acs3 = (options: Partial<Parameters<typeof signAcs3>[0]> = {}): PreparedRequest =>
    signAcs3({ credentials, host: server.endpoint, action: 'DescribeRegions', ...options });
  const v1 = (options: Partial<Parameters<typeof signV1>[0]> = {}): PreparedRequest =>
    signV1({ credentials, host: server.endpoint, action: 'DescribeRegions', ...options });
  const countKeys = async (): Promise<number> => (await callOk(server, credentials, 'ListKeys', { PageSize: '100' })).TotalCount;

  before(async () => {
    server = await startTestServer();
    keyId = (await callOk(server, credentials, 'CreateKey')).KeyMetadata.KeyId;
  });

  after(async () => {
    await server?.close();
  });

  describe('the test signer itself', () => {
    it('reproduces the signature the real 3.x SDK sent in capture A1 (ACS3-HMAC-SHA256)', () => {
      const headers = {
        host: '127.0.0.1:43055',
        'x-acs-action': 'Encrypt',
        'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        'x-acs-credentials-provider': 'static_ak',
        'x-acs-date': '2026-11-28T14:45:25Z',
        'x-acs-signature-nonce': '63c37aa30bc8a46c966f1028e0d609e3950e0c15507fb6c23f71b9047a32272f',
        'x-acs-version': '2016-01-20',
      };
      const canonical = acs3CanonicalRequest({
        method: 'POST',
        path: '/',
        query: [
          ['KeyId', 'alias/x'],
          ['Plaintext', 'aGVsbG8='],
        ],
        headers,
        signedHeaders: Object.keys(headers).sort(),
        payloadHash: headers['x-acs-content-sha256'],
      });
      assert.equal(acs3SignatureOf(canonical, 'testsecret'), '2af658374e101db55b0dafecd3536e1bd7a3ac9cf1a4306e072dd3ede7727092');
    });

    it('reproduces the signature the 3.x SDK sent with HMAC-SHA1 in capture B1 (signature 1.0)', () => {
      const stringToSign = v1StringToSign('POST', [
        ['Action', 'Encrypt'],
        ['Format', 'json'],
        ['Version', '2016-01-20'],
        ['Timestamp', '2026-11-28T14:45:25Z'],
        ['SignatureNonce', '287b03cd6f6b7730d36bc7e5a4be6024d51e5c40e7059162f85e0ac46f60ff36'],
        ['EncryptionContext', '{"a":"1"}'],
        ['KeyId', 'alias/x'],
        ['Plaintext', 'aGVsbG8='],
        ['SignatureMethod', 'HMAC-SHA1'],
        ['SignatureVersion', '1.0'],
        ['AccessKeyId', 'testid'],
      ]);
      assert.equal(v1SignatureOf(stringToSign, 'testsecret'), 'ZpqJTeJmry3qj0GdINQXT9tAuD4=');
    });

    it('reproduces the HMAC step of the documented signature 1.0 test vector', () => {
      // The documentation prints its StringToSign with literal `&` between the pairs; only the
      // HMAC over that exact text is checked here.
      const documented =
        'GET&%2F&AccessKeyId%3Dtestid&Action%3DCreateKey&Format%3Djson&SignatureMethod%3DHMAC-SHA1&SignatureVersion%3D1.0&Timestamp%3D2016-03-28T03%253A13%253A08Z&Version%3D2016-01-20';
      assert.equal(v1SignatureOf(documented, 'testsecret'), 's/OdVWMTmNGagvWlljdAJ7Itsew=');
    });
  });

  describe('ACS3-HMAC-SHA256', () => {
    it('a valid request with the action in x-acs-action succeeds', async () => {
      const body = assertSuccess(await send(server, acs3()));
      assert.deepEqual(body.Regions, { Region: [{ RegionId: 'cn-hangzhou' }] });
    });

    it('the same signed bytes sent twice: the second is refused with 400 SignatureNonceUsed and does nothing', async () => {
      const before = await countKeys();
      const request = acs3({ action: 'CreateKey' });
      assertSuccess(await send(server, request));
      assertCatalogError(await send(server, request), 400, 'SignatureNonceUsed');
      assert.equal(await countKeys(), before + 1, 'the replay created a key');
    });

    it('x-acs-date 16 minutes in the past is refused with 400 InvalidTimeStamp.Expired', async () => {
      assertCatalogError(await send(server, acs3({ date: Date.now() - 16 * MINUTE_MS })), 400, 'InvalidTimeStamp.Expired');
    });

    it('x-acs-date 16 minutes in the future is refused with 400 InvalidTimeStamp.Expired', async () => {
      assertCatalogError(await send(server, acs3({ date: Date.now() + 16 * MINUTE_MS })), 400, 'InvalidTimeStamp.Expired');
    });

    it('x-acs-date 14 minutes in the past or in the future is accepted', async () => {
      assertSuccess(await send(server, acs3({ date: Date.now() - 14 * MINUTE_MS })));
      assertSuccess(await send(server, acs3({ date: Date.now() + 14 * MINUTE_MS })));
    });

    it('a query value altered after signing is refused with 400 SignatureDoesNotMatch', async () => {
      const request = acs3({ action: 'Encrypt', query: { KeyId: keyId, Plaintext: 'hello' } });
      request.path = request.path.replace('Plaintext=hello', 'Plaintext=jello');
      assert.match(request.path, /Plaintext=jello/);
      assertCatalogError(await send(server, request), 400, 'SignatureDoesNotMatch');
    });

    it('a query parameter added after signing is refused with 400 SignatureDoesNotMatch', async () => {
      const request = acs3({ action: 'Encrypt', query: { KeyId: keyId, Plaintext: 'hello' } });
      request.path += '&EncryptionContext=%7B%7D';
      assertCatalogError(await send(server, request), 400, 'SignatureDoesNotMatch');
    });

    it('a signed header altered after signing is refused with 400 SignatureDoesNotMatch', async () => {
      for (const [name, change] of [
        ['x-acs-signature-nonce', (value: string) => `${value.slice(0, -1)}${value.endsWith('0') ? '1' : '0'}`],
        ['x-acs-date', () => new Date(Date.now() - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')],
        ['x-acs-custom', () => 'two'],
        ['x-acs-action', () => 'ListKeys'],
      ] as const) {
        const request = acs3({ headers: { 'x-acs-custom': 'one' } });
        const original = request.headers[name] ?? '';
        request.headers[name] = change(original);
        assert.notEqual(request.headers[name], original);
        assertCatalogError(await send(server, request), 400, 'SignatureDoesNotMatch');
      }
    });

    it('a form body altered after signing (same length) is refused with 400 SignatureDoesNotMatch', async () => {
      const request = acs3({ action: 'Encrypt', form: { KeyId: keyId, Plaintext: 'hello' } });
      request.body = Buffer.from(request.body.toString('utf8').replace('hello', 'jello'), 'utf8');
      assertCatalogError(await send(server, request), 400, 'SignatureDoesNotMatch');
    });

    it('a body altered after signing, with x-acs-content-sha256 updated to match, is refused with 400 SignatureDoesNotMatch', async () => {
      const request = acs3({ action: 'Encrypt', form: { KeyId: keyId, Plaintext: 'hello' } });
      request.body = Buffer.from(request.body.toString('utf8').replace('hello', 'jello'), 'utf8');
      request.headers['x-acs-content-sha256'] = sha256Hex(request.body);
      assertCatalogError(await send(server, request), 400, 'SignatureDoesNotMatch');
    });

    it('a Host header changed after signing is refused with 400 SignatureDoesNotMatch', async () => {
      const request = acs3();
      request.headers.host = `localhost:${server.port}`;
      assertCatalogError(await send(server, request), 400, 'SignatureDoesNotMatch');
    });

    it('a request signed with another secret is refused with 400 SignatureDoesNotMatch', async () => {
      const request = signAcs3({
        credentials: { accessKeyId: TEST_ACCESS_KEY_ID, accessKeySecret: `${TEST_ACCESS_KEY_SECRET}x` },
        host: server.endpoint,
        action: 'DescribeRegions',
      });
      assertCatalogError(await send(server, request), 400, 'SignatureDoesNotMatch');
    });

    it('a nonce first sent with a bad signature is still usable by the real signer', async () => {
      const nonce = 'f'.repeat(64);
      const forged = signAcs3({
        credentials: { accessKeyId: TEST_ACCESS_KEY_ID, accessKeySecret: 'not-the-secret' },
        host: server.endpoint,
        action: 'DescribeRegions',
        nonce,
      });
      assertCatalogError(await send(server, forged), 400, 'SignatureDoesNotMatch');
      assertSuccess(await send(server, acs3({ nonce })));
    });

    it('an unknown access key id is refused with 404 InvalidAccessKeyId.NotFound', async () => {
      const request = signAcs3({
        credentials: { accessKeyId: 'LTAIdoesNotExist000000', accessKeySecret: TEST_ACCESS_KEY_SECRET },
        host: server.endpoint,
        action: 'DescribeRegions',
      });
      assertCatalogError(await send(server, request), 404, 'InvalidAccessKeyId.NotFound');
    });

    it('a request with no signature at all is refused with 400 IncompleteSignature', async () => {
      const unsigned: PreparedRequest = {
        method: 'POST',
        path: `/?${encodeParams([
          ['Action', 'DescribeRegions'],
          ['Version', '2016-01-20'],
        ])}`,
        headers: { host: server.endpoint, 'x-acs-action': 'DescribeRegions', 'x-acs-version': '2016-01-20' },
        body: Buffer.alloc(0),
      };
      assertCatalogError(await send(server, unsigned), 400, 'IncompleteSignature');
    });

    it('a signature that leaves x-acs-date or x-acs-signature-nonce unsigned is refused with 400 IncompleteSignature', async () => {
      for (const left of ['x-acs-date', 'x-acs-signature-nonce']) {
        const signedHeaders = [
          'host',
          'x-acs-action',
          'x-acs-content-sha256',
          'x-acs-date',
          'x-acs-signature-nonce',
          'x-acs-version',
        ].filter((name) => name !== left);
        assertCatalogError(await send(server, acs3({ signedHeaders })), 400, 'IncompleteSignature');
      }
    });

    it('the action only in the x-acs-action header (no Action parameter) works', async () => {
      const request = acs3({ action: 'DescribeKey', query: { KeyId: keyId } });
      assert.doesNotMatch(request.path, /Action=/);
      assert.equal(assertSuccess(await send(server, request)).KeyMetadata.KeyId, keyId);
    });

    it('the action and version only as Action and Version query parameters (no x-acs-action, no x-acs-version) work', async () => {
      const request = acs3({ action: null, version: null, query: { Action: 'DescribeKey', Version: '2016-01-20', KeyId: keyId } });
      assert.equal(request.headers['x-acs-action'], undefined);
      assert.equal(assertSuccess(await send(server, request)).KeyMetadata.KeyId, keyId);
    });

    it('parameters in a form body (application/x-www-form-urlencoded) work', async () => {
      const plaintext = "form body: a+b/c= d*(')!~ ü";
      const encrypted = assertSuccess(await send(server, acs3({ action: 'Encrypt', form: { KeyId: keyId, Plaintext: plaintext } })));
      const decrypted = assertSuccess(await send(server, acs3({ action: 'Decrypt', form: { CiphertextBlob: encrypted.CiphertextBlob } })));
      assert.equal(decrypted.Plaintext, plaintext);
    });

    it('parameters in a form body sent with Transfer-Encoding: chunked (no Content-Length) work', async () => {
      const plaintext = 'chunked '.repeat(50);
      const encrypted = assertSuccess(
        await send(server, acs3({ action: 'Encrypt', form: { KeyId: keyId, Plaintext: plaintext } }), { chunks: 7 }),
      );
      const decrypted = assertSuccess(
        await send(server, acs3({ action: 'Decrypt', form: { CiphertextBlob: encrypted.CiphertextBlob } }), { chunks: 3 }),
      );
      assert.equal(decrypted.Plaintext, plaintext);
    });

    it('parameters split between the query and a form body work', async () => {
      const response = await send(server, acs3({ action: 'Encrypt', query: { KeyId: keyId }, form: { Plaintext: 'split' } }));
      const decrypted = await callOk(server, credentials, 'Decrypt', { CiphertextBlob: assertSuccess(response).CiphertextBlob });
      assert.equal(decrypted.Plaintext, 'split');
    });

    it('a GET request signed with ACS3 works', async () => {
      assertSuccess(await send(server, acs3({ method: 'GET', action: 'DescribeKey', query: { KeyId: keyId } })));
    });

    it('a missing version (no Version, no x-acs-version) is refused with 400 MissingParameter', async () => {
      assertCatalogError(await send(server, acs3({ version: null })), 400, 'MissingParameter');
    });

    it('a wrong version is refused with 400 InvalidParameter', async () => {
      assertCatalogError(await send(server, acs3({ version: '2015-01-01' })), 400, 'InvalidParameter');
    });

    it('an unknown action is refused with 404 InvalidAction.NotFound', async () => {
      assertCatalogError(await send(server, acs3({ action: 'DescribeNothing' })), 404, 'InvalidAction.NotFound');
    });
  });

  describe('HMAC-SHA1 signature 1.0', () => {
    it('a GET request with everything in the query (legacy Python/Java SDK style) works', async () => {
      const request = v1({ action: 'DescribeKey', params: { KeyId: keyId } });
      assert.equal(request.method, 'GET');
      assert.equal(assertSuccess(await send(server, request)).KeyMetadata.KeyId, keyId);
    });

    it('a GET request encrypts and decrypts a plaintext with reserved characters', async () => {
      const plaintext = "a+b/c= d*(')!~";
      const encrypted = assertSuccess(await send(server, v1({ action: 'Encrypt', params: { KeyId: keyId, Plaintext: plaintext } })));
      const decrypted = assertSuccess(await send(server, v1({ action: 'Decrypt', params: { CiphertextBlob: encrypted.CiphertextBlob } })));
      assert.equal(decrypted.Plaintext, plaintext);
    });

    it('a POST with every parameter in a form body (kms 2.0.0 style) works', async () => {
      assertSuccess(await send(server, v1({ method: 'POST', inBody: true, action: 'DescribeKey', params: { KeyId: keyId } })));
    });

    it('the same signature 1.0 request sent twice: the second is refused with 400 SignatureNonceUsed', async () => {
      const before = await countKeys();
      const request = v1({ action: 'CreateKey' });
      assertSuccess(await send(server, request));
      assertCatalogError(await send(server, request), 400, 'SignatureNonceUsed');
      assert.equal(await countKeys(), before + 1, 'the replay created a key');
    });

    it('a Timestamp 16 minutes old is refused with 400 InvalidTimeStamp.Expired', async () => {
      assertCatalogError(await send(server, v1({ timestamp: Date.now() - 16 * MINUTE_MS })), 400, 'InvalidTimeStamp.Expired');
    });

    it('a query value altered after signing is refused with 400 SignatureDoesNotMatch', async () => {
      const request = v1({ action: 'Encrypt', params: { KeyId: keyId, Plaintext: 'hello' } });
      request.path = request.path.replace('Plaintext=hello', 'Plaintext=jello');
      assertCatalogError(await send(server, request), 400, 'SignatureDoesNotMatch');
    });

    it('a GET signed as POST (method altered) is refused with 400 SignatureDoesNotMatch', async () => {
      const request = v1({ method: 'POST' });
      request.method = 'GET';
      assertCatalogError(await send(server, request), 400, 'SignatureDoesNotMatch');
    });

    it('a request signed with another secret is refused with 400 SignatureDoesNotMatch', async () => {
      const request = signV1({
        credentials: { accessKeyId: TEST_ACCESS_KEY_ID, accessKeySecret: 'another-secret' },
        host: server.endpoint,
        action: 'DescribeRegions',
      });
      assertCatalogError(await send(server, request), 400, 'SignatureDoesNotMatch');
    });

    it('an unknown AccessKeyId is refused with 404 InvalidAccessKeyId.NotFound', async () => {
      const request = signV1({
        credentials: { accessKeyId: 'LTAIdoesNotExist000000', accessKeySecret: TEST_ACCESS_KEY_SECRET },
        host: server.endpoint,
        action: 'DescribeRegions',
      });
      assertCatalogError(await send(server, request), 404, 'InvalidAccessKeyId.NotFound');
    });

    it('a wrong Version is refused with 400 InvalidParameter', async () => {
      assertCatalogError(await send(server, v1({ version: '2014-05-26' })), 400, 'InvalidParameter');
    });

    it('an empty Version is refused with 400 MissingParameter', async () => {
      assertCatalogError(await send(server, v1({ version: '' })), 400, 'MissingParameter');
    });
  });

  describe('methods and paths', () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      it(`${method} on / is refused with 403 UnsupportedHTTPMethod, even when signed`, async () => {
        const unsigned: PreparedRequest = { method, path: '/', headers: { host: server.endpoint }, body: Buffer.alloc(0) };
        assertCatalogError(await send(server, unsigned), 403, 'UnsupportedHTTPMethod');
        assertCatalogError(await send(server, acs3({ method })), 403, 'UnsupportedHTTPMethod');
      });
    }

    it('an unknown path is refused with 404 and a catalog error, signed or not', async () => {
      assertCatalogError(await send(server, acs3({ path: '/kms' })), 404, 'InvalidAction.NotFound');
      const unsigned: PreparedRequest = {
        method: 'GET',
        path: '/no/such/path?x=1',
        headers: { host: server.endpoint },
        body: Buffer.alloc(0),
      };
      assertCatalogError(await send(server, unsigned), 404, 'InvalidAction.NotFound');
    });

    it('GET /health answers 200 without a signature', async () => {
      const response = await send(server, { method: 'GET', path: '/health', headers: { host: server.endpoint }, body: Buffer.alloc(0) });
      assert.equal(response.status, 200);
    });
  });
});
