// `Format=XML` against a real server, through Alibaba's own clients.
//
// - @alicloud/openapi-client 0.4.15, `callApi` over ACS3-HMAC-SHA256 with `Format=XML` in the
//   signed query: the success bodies come back as text (bodyType `string`) and are read with the
//   client's own XML parser (@alicloud/tea-xml); the error bodies the client parses itself, as
//   XML, because Arca sends exactly `text/xml;charset=utf-8`, and throws with their Code.
// - @alicloud/pop-core 1.8.0, whose RPCClient signs any `Format` (HMAC-SHA1 1.0) but parses every
//   body with JSON.parse: it cannot read XML at all (only its ROAClient, a signature Arca does not
//   speak, parses `text/xml`). With `Format: 'XML'` it throws a SyntaxError carrying the body,
//   which is read here with the xml2js parser pop-core ships, the way its ROAClient reads one.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { parseAlibabaXml } from '../support/alibaba-xml.js';
import { v3Caller } from '../support/clients.js';
import { testServerForFile } from '../support/sdk-calls.js';
import { TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET, type TestServer } from '../support/server.js';
import { LOWER_UUID, REQUEST_ID } from './support-sdk-assertions.js';

const require = createRequire(import.meta.url);
const OpenApiClientModule: any = require('@alicloud/openapi-client');
const clientRequire = createRequire(require.resolve('@alicloud/openapi-client'));
const TeaUtil: any = clientRequire('@alicloud/tea-util');
const PopCore: any = require('@alicloud/pop-core');
const popCoreRequire = createRequire(require.resolve('@alicloud/pop-core'));
const xml2js: any = popCoreRequire('xml2js');

const server = testServerForFile();

/** openapi-client 0.4.15 `callApi` (ACS3-HMAC-SHA256, every parameter in the query) with Format=XML. */
function xmlCaller(target: TestServer): (action: string, query: Record<string, string>) => Promise<{ headers: any; body: string }> {
  const Client = OpenApiClientModule.default;
  const client = new Client(
    new OpenApiClientModule.Config({
      accessKeyId: TEST_ACCESS_KEY_ID,
      accessKeySecret: TEST_ACCESS_KEY_SECRET,
      endpoint: target.endpoint,
      protocol: 'http',
    }),
  );
  return (action, query) => {
    const params = new OpenApiClientModule.Params({
      action,
      version: '2016-01-20',
      protocol: 'HTTP',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'string',
    });
    const request = new OpenApiClientModule.OpenApiRequest({ query: { ...query, Format: 'XML' } });
    return client.callApi(params, request, new TeaUtil.RuntimeOptions({})) as Promise<{ headers: any; body: string }>;
  };
}

/** Calls `action` in XML; returns the content of its `<ActionResponse>`, after the envelope checks. */
async function xmlCall(target: TestServer, action: string, query: Record<string, string>): Promise<any> {
  const response = await xmlCaller(target)(action, query);
  assert.equal(response.headers['content-type'], 'text/xml;charset=utf-8');
  const { root, content } = parseAlibabaXml(response.body);
  assert.equal(root, `${action}Response`);
  assert.match(content.RequestId, REQUEST_ID);
  assert.equal(response.headers['x-acs-request-id'], content.RequestId);
  return content;
}

describe('Format=XML through @alicloud/openapi-client 0.4.15', () => {
  it('creates a key, encrypts, decrypts and lists keys, each answer in XML with the values of the JSON answers', async () => {
    const json = v3Caller(server());
    const created = (await xmlCall(server(), 'CreateKey', { Description: 'xml <e2e> & "friends"', KeySpec: 'Aliyun_SM4' })).KeyMetadata;
    assert.match(created.KeyId, LOWER_UUID);
    assert.equal(created.KeySpec, 'Aliyun_SM4');
    assert.equal(created.Description, 'xml <e2e> & "friends"');
    const described = (await json('DescribeKey', { KeyId: created.KeyId })).KeyMetadata;
    for (const [field, value] of Object.entries(described)) assert.equal(created[field], String(value), field);

    const plaintext = "line one\r\nline <two> & 'three'\ttab";
    const sealed = await xmlCall(server(), 'Encrypt', { KeyId: created.KeyId, Plaintext: plaintext, EncryptionContext: '{"app":"xml"}' });
    assert.equal(sealed.KeyId, created.KeyId);
    assert.equal(sealed.KeyVersionId, created.PrimaryKeyVersion);
    const opened = await xmlCall(server(), 'Decrypt', { CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: '{"app":"xml"}' });
    assert.equal(opened.Plaintext, plaintext);
    assert.equal(opened.KeyId, created.KeyId);
    assert.equal(
      (await json('Decrypt', { CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { app: 'xml' } })).Plaintext,
      plaintext,
    );

    const second = (await xmlCall(server(), 'CreateKey', {})).KeyMetadata;
    const listed = await xmlCall(server(), 'ListKeys', { PageSize: '100' });
    const jsonListed = await json('ListKeys', { PageSize: 100 });
    assert.ok(Array.isArray(listed.Keys.Key), 'several keys are repeated <Key> elements');
    assert.deepEqual(
      listed.Keys.Key,
      jsonListed.Keys.Key.map((key: any) => ({ KeyId: key.KeyId, KeyArn: key.KeyArn })),
    );
    assert.ok(listed.Keys.Key.some((key: any) => key.KeyId === second.KeyId));
    assert.equal(listed.TotalCount, String(jsonListed.TotalCount));
    assert.equal(listed.PageNumber, '1');
    assert.equal(listed.PageSize, '100');
  });

  it('throws Forbidden.KeyNotFound, the client having parsed the <Error> body itself, with HostId and Recommend', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    let thrown: any;
    try {
      await xmlCaller(server())('DescribeKey', { KeyId: missing });
    } catch (error) {
      thrown = error;
    }
    assert.ok(thrown, 'the call failed');
    // Had the client read the body as JSON (any other Content-Type), it would have thrown a SyntaxError.
    assert.notEqual(thrown.name, 'SyntaxError', String(thrown));
    assert.equal(thrown.code, 'Forbidden.KeyNotFound');
    assert.match(thrown.message, /^Forbidden\.KeyNotFound: code: 404, The specified Key is not found\. request id: [0-9a-f-]{36}$/);
    const { statusCode, ...body } = thrown.data;
    assert.equal(statusCode, 404);
    assert.deepEqual(Object.keys(body), ['RequestId', 'HostId', 'Code', 'Message', 'Recommend']);
    assert.match(body.RequestId, REQUEST_ID);
    assert.deepEqual(
      { HostId: body.HostId, Code: body.Code, Message: body.Message, Recommend: body.Recommend },
      {
        HostId: 'kms.cn-hangzhou.arca',
        Code: 'Forbidden.KeyNotFound',
        Message: 'The specified Key is not found.',
        Recommend: '/docs/errors.md?q=Forbidden.KeyNotFound',
      },
    );
  });
});

describe('Format=XML through @alicloud/pop-core 1.8.0', () => {
  function popClient(target: TestServer): any {
    return new PopCore.RPCClient({
      accessKeyId: TEST_ACCESS_KEY_ID,
      accessKeySecret: TEST_ACCESS_KEY_SECRET,
      endpoint: target.url,
      apiVersion: '2016-01-20',
    });
  }

  /** The XML body pop-core received but could not read (its RPCClient JSON-parses every body). */
  async function unreadableBody(call: Promise<unknown>): Promise<any> {
    let thrown: any;
    try {
      await call;
    } catch (error) {
      thrown = error;
    }
    assert.ok(thrown, 'pop-core read the body');
    assert.equal(thrown.name, 'SyntaxError', String(thrown));
    assert.equal(typeof thrown.text, 'string');
    let parsed: any;
    new xml2js.Parser().parseString(thrown.text, (error: unknown, result: unknown) => {
      assert.equal(error, null);
      parsed = result;
    });
    return parsed;
  }

  it('signs Format=XML (HMAC-SHA1 1.0), and Arca answers ListKeys in XML', async () => {
    const parsed = await unreadableBody(popClient(server()).request('ListKeys', { Format: 'XML', PageSize: 100 }));
    const response = parsed.ListKeysResponse;
    assert.ok(response, 'root <ListKeysResponse>');
    assert.ok(response.Keys[0].Key.length >= 2);
    assert.match(response.Keys[0].Key[0].KeyId[0], LOWER_UUID);
    assert.match(response.RequestId[0], REQUEST_ID);
  });

  it("answers an error as the <Error> pop-core's ROAClient reads (Message, Code, HostId, RequestId), with Recommend", async () => {
    const parsed = await unreadableBody(popClient(server()).request('DescribeKey', { Format: 'XML', KeyId: 'alias/nothing-here' }));
    const error = parsed.Error;
    assert.ok(error, 'root <Error>');
    assert.deepEqual(Object.keys(error), ['RequestId', 'HostId', 'Code', 'Message', 'Recommend']);
    assert.equal(error.Code[0], 'Forbidden.AliasNotFound');
    assert.equal(error.Message[0], 'The specified Alias is not found.');
    assert.equal(error.HostId[0], 'kms.cn-hangzhou.arca');
    assert.equal(error.Recommend[0], '/docs/errors.md?q=Forbidden.AliasNotFound');
    assert.match(error.RequestId[0], REQUEST_ID);
  });
});
