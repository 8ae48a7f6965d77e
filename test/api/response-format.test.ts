// `Format=XML` through inject(): Alibaba's XML answers (root element `<ActionResponse>`, errors
// `<Error>`, lists as repeated elements, the prolog and Content-Type Alibaba sends), carrying the
// same values as the JSON answer to the same request; `Format` read from the query or the form
// body, in any letter case; anything else refused; and the error bodies' Recommend link.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { signAcs3, signV1 } from '../support/acs3-signer.js';
import { asParsedXml, parseAlibabaXml, XML_CONTENT_TYPE } from '../support/alibaba-xml.js';
import { ADMIN_CREDENTIALS, createInjectApi, INJECT_HOST, type InjectApi, type InjectResponse } from '../support/inject-api.js';
import {
  apiForFile,
  createKey,
  defaultRecommend,
  encryptUnder,
  ERROR_BODY_FIELDS,
  invalid,
  KEY_NOT_FOUND,
  must,
  ok,
  REQUEST_ID,
  refused,
} from './actions/helpers.js';

const XML = { Format: 'XML' } as const;

/** An XML answer: its status, Content-Type, root element and content (RequestId equal to the header). */
function xmlAnswer(response: InjectResponse, status: number): { root: string; content: any } {
  const summary = `HTTP ${response.statusCode} ${response.text.slice(0, 400)}`;
  assert.equal(response.statusCode, status, summary);
  assert.equal(response.headers['content-type'], XML_CONTENT_TYPE, summary);
  assert.equal(response.json, undefined, 'the body is not JSON');
  const parsed = parseAlibabaXml(response.text);
  assert.match(parsed.content.RequestId, REQUEST_ID);
  assert.equal(response.headers['x-acs-request-id'], parsed.content.RequestId, 'x-acs-request-id equals RequestId');
  return parsed;
}

/** A successful XML answer of `action`: root `<ActionResponse>`; returns its content. */
function xmlOk(response: InjectResponse, action: string): any {
  const { root, content } = xmlAnswer(response, 200);
  assert.equal(root, `${action}Response`);
  return content;
}

/** The JSON answer's values as the XML parser reads them, with the XML answer's RequestId. */
function expectedFromJson(json: any, xmlContent: any): any {
  return asParsedXml({ ...json, RequestId: xmlContent.RequestId });
}

let keyId = '';
let otherKeyId = '';
let blob = '';
const api = apiForFile(async (built) => {
  keyId = (await createKey(built, { Description: 'xml & <friends> "quoted" \'single\'' })).KeyId;
  otherKeyId = (await createKey(built, { KeySpec: 'Aliyun_SM4', EnableAutomaticRotation: true, RotationInterval: '30d' })).KeyId;
  await must(built, 'CreateAlias', { AliasName: 'alias/xml-one', KeyId: keyId });
  await must(built, 'CreateAlias', { AliasName: 'alias/xml-two', KeyId: keyId });
  await must(built, 'TagResource', { KeyId: keyId, Tags: [{ TagKey: 'team', TagValue: 'a&b' }] });
  await must(built, 'CreateKeyVersion', { KeyId: otherKeyId });
  blob = await encryptUnder(built, keyId, 'tab\there, cr\rthere, lf\nand <xml> & "quotes"', { purpose: 'xml' });
});

describe('Format=XML: success answers', () => {
  it("answers with Alibaba's prolog, the root <DescribeKeyResponse>, text/xml;charset=utf-8 and the RequestId of the header", async () => {
    const response = await api().call('DescribeKey', { KeyId: keyId, ...XML });
    assert.ok(response.text.startsWith("<?xml version='1.0' encoding='UTF-8'?><DescribeKeyResponse><KeyMetadata><Arn>"), response.text);
    const content = xmlOk(response, 'DescribeKey');
    assert.equal(content.KeyMetadata.KeyId, keyId);
    assert.equal(content.KeyMetadata.Description, 'xml & <friends> "quoted" \'single\'');
  });

  // Deterministic requests: the JSON and the XML answer to the same request carry the same values.
  const SAME_REQUESTS: Array<[string, () => Record<string, string | number | object>]> = [
    ['DescribeKey', () => ({ KeyId: keyId })],
    ['DescribeKey', () => ({ KeyId: otherKeyId })],
    ['ListKeys', () => ({ PageSize: 100 })],
    ['ListKeys', () => ({ PageSize: 1 })],
    ['ListKeys', () => ({ PageNumber: 50 })],
    ['ListAliases', () => ({})],
    ['ListAliasesByKeyId', () => ({ KeyId: keyId })],
    ['ListAliasesByKeyId', () => ({ KeyId: otherKeyId })],
    ['ListKeyVersions', () => ({ KeyId: otherKeyId })],
    ['ListResourceTags', () => ({ KeyId: keyId })],
    ['DescribeRegions', () => ({})],
    ['DescribeService', () => ({})],
    ['DescribeAccountKmsStatus', () => ({})],
    ['Decrypt', () => ({ CiphertextBlob: blob, EncryptionContext: { purpose: 'xml' } })],
    ['UpdateKeyDescription', () => ({ KeyId: otherKeyId, Description: 'the same' })],
  ];
  for (const [action, params] of SAME_REQUESTS) {
    it(`answers ${action} ${JSON.stringify(params()).slice(0, 60)} in XML with the values of its JSON answer`, async () => {
      const json = ok(await api().call(action, params()));
      const content = xmlOk(await api().call(action, { ...params(), ...XML }), action);
      assert.deepEqual(content, expectedFromJson(json, content));
    });
  }

  it('lists every key as a repeated <Key> inside <Keys>, one <Key> for a page of one', async () => {
    const all = xmlOk(await api().call('ListKeys', { PageSize: 100, ...XML }), 'ListKeys');
    assert.ok(Array.isArray(all.Keys.Key));
    assert.deepEqual(all.Keys.Key.map((key: any) => key.KeyId).sort(), [keyId, otherKeyId].sort());
    assert.equal(all.TotalCount, '2');
    const one = await api().call('ListKeys', { PageSize: 1, ...XML });
    assert.equal(one.text.match(/<Key>/g)?.length, 1);
  });

  it('gives back, through XML, a plaintext holding markup characters, tab, carriage return and line feed unchanged', async () => {
    const content = xmlOk(await api().call('Decrypt', { CiphertextBlob: blob, EncryptionContext: { purpose: 'xml' }, ...XML }), 'Decrypt');
    assert.equal(content.Plaintext, 'tab\there, cr\rthere, lf\nand <xml> & "quotes"');
  });

  it('answers CreateKey, Encrypt and GenerateDataKey in XML with values the JSON answers then agree with', async () => {
    const created = xmlOk(await api().call('CreateKey', { Description: 'made in xml', ...XML }), 'CreateKey');
    const described = ok(await api().call('DescribeKey', { KeyId: created.KeyMetadata.KeyId }));
    assert.deepEqual(created.KeyMetadata, asParsedXml(described.KeyMetadata));
    const sealed = xmlOk(await api().call('Encrypt', { KeyId: created.KeyMetadata.KeyId, Plaintext: 'from xml', ...XML }), 'Encrypt');
    assert.deepEqual(Object.keys(sealed), ['CiphertextBlob', 'KeyId', 'KeyVersionId', 'RequestId']);
    assert.equal(ok(await api().call('Decrypt', { CiphertextBlob: sealed.CiphertextBlob })).Plaintext, 'from xml');
    const dataKey = xmlOk(await api().call('GenerateDataKey', { KeyId: created.KeyMetadata.KeyId, ...XML }), 'GenerateDataKey');
    assert.equal(ok(await api().call('Decrypt', { CiphertextBlob: dataKey.CiphertextBlob })).Plaintext, dataKey.Plaintext);
    await must(api(), 'ScheduleKeyDeletion', { KeyId: created.KeyMetadata.KeyId, PendingWindowInDays: 7 });
  });

  it('answers an action with an empty body as <ActionResponse> holding only RequestId', async () => {
    const content = xmlOk(await api().call('EnableKey', { KeyId: keyId, ...XML }), 'EnableKey');
    assert.deepEqual(Object.keys(content), ['RequestId']);
  });
});

describe('Format: where it is read, and which values it takes', () => {
  const send = (request: Parameters<InjectApi['send']>[0]) => api().send(request);
  const at = () => api().clock.now();

  it('reads Format from the signed query (ACS3-HMAC-SHA256 and HMAC-SHA1) and from a signed form body', async () => {
    const query = signAcs3({
      credentials: ADMIN_CREDENTIALS,
      host: INJECT_HOST,
      action: 'DescribeKey',
      query: { KeyId: keyId, Format: 'XML' },
      date: at(),
    });
    assert.equal(xmlOk(await send(query), 'DescribeKey').KeyMetadata.KeyId, keyId);
    const form = signAcs3({
      credentials: ADMIN_CREDENTIALS,
      host: INJECT_HOST,
      action: 'DescribeKey',
      form: { KeyId: keyId, Format: 'XML' },
      date: at(),
    });
    assert.equal(xmlOk(await send(form), 'DescribeKey').KeyMetadata.KeyId, keyId);
    const v1Query = signV1({
      credentials: ADMIN_CREDENTIALS,
      host: INJECT_HOST,
      action: 'DescribeKey',
      params: { KeyId: keyId },
      format: 'XML',
      timestamp: at(),
    });
    assert.equal(xmlOk(await send(v1Query), 'DescribeKey').KeyMetadata.KeyId, keyId);
    const v1Form = signV1({
      credentials: ADMIN_CREDENTIALS,
      host: INJECT_HOST,
      method: 'POST',
      inBody: true,
      action: 'DescribeKey',
      params: { KeyId: keyId },
      format: 'XML',
      timestamp: at(),
    });
    assert.equal(xmlOk(await send(v1Form), 'DescribeKey').KeyMetadata.KeyId, keyId);
  });

  it('takes XML and JSON in any letter case; without Format, or with an empty one, the answer is JSON', async () => {
    for (const format of ['xml', 'Xml']) xmlOk(await api().call('DescribeKey', { KeyId: keyId, Format: format }), 'DescribeKey');
    for (const format of ['JSON', 'json', ''])
      assert.equal(ok(await api().call('DescribeKey', { KeyId: keyId, Format: format })).KeyMetadata.KeyId, keyId);
    const v1 = signV1({
      credentials: ADMIN_CREDENTIALS,
      host: INJECT_HOST,
      action: 'DescribeKey',
      params: { KeyId: keyId },
      format: null,
      timestamp: at(),
    });
    assert.equal(ok(await send(v1)).KeyMetadata.KeyId, keyId);
  });

  it('refuses any other Format with InvalidParameter Format, in JSON, before the action runs', async () => {
    const before = ok(await api().call('ListKeys', { PageSize: 100 })).TotalCount;
    for (const format of ['YAML', 'XML2', 'text/xml', 'JSONP', ' XML']) {
      refused(await api().call('CreateKey', { Description: 'never made', Format: format }), invalid('Format'));
    }
    assert.equal(ok(await api().call('ListKeys', { PageSize: 100 })).TotalCount, before, 'no key was made');
  });
});

describe('Format=XML: error answers', () => {
  it('answers a refusal as <Error> with RequestId, HostId, Code, Message and Recommend, the values of the JSON refusal, the same status', async () => {
    const missingKey = '00000000-0000-4000-8000-000000000000';
    const json = refused(await api().call('DescribeKey', { KeyId: missingKey }), KEY_NOT_FOUND);
    const response = await api().call('DescribeKey', { KeyId: missingKey, ...XML });
    const { root, content } = xmlAnswer(response, 404);
    assert.equal(root, 'Error');
    assert.deepEqual(Object.keys(content), ERROR_BODY_FIELDS);
    assert.deepEqual(content, expectedFromJson(json, content));
    assert.equal(content.Recommend, defaultRecommend('Forbidden.KeyNotFound'));
    assert.ok(response.text.startsWith("<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>"), response.text);
  });

  it('answers in XML the refusals made once the parameters are read: a bad signature, a missing parameter, an unknown action, a bad blob', async () => {
    const badSecret = { ...ADMIN_CREDENTIALS, accessKeySecret: 'not-the-secret' };
    const cases: Array<[InjectResponse, number, string]> = [
      [await api().call('DescribeKey', { KeyId: keyId, ...XML }, { accessKey: badSecret }), 400, 'SignatureDoesNotMatch'],
      [await api().call('DescribeKey', { ...XML }), 400, 'MissingParameter'],
      [await api().call('NoSuchAction', { ...XML }), 404, 'InvalidAction.NotFound'],
      [await api().call('Decrypt', { CiphertextBlob: 'bm90IGEgYmxvYg==', ...XML }), 400, 'InvalidParameter'],
    ];
    for (const [response, status, code] of cases) {
      const { root, content } = xmlAnswer(response, status);
      assert.equal(root, 'Error');
      assert.deepEqual(Object.keys(content), ERROR_BODY_FIELDS);
      assert.equal(content.Code, code);
      assert.equal(content.Recommend, defaultRecommend(code));
    }
  });

  it('refuses with InvalidParameter Format, before anything changes, a request whose parameters XML cannot carry', async () => {
    const before = ok(await api().call('ListKeys', { PageSize: 100 })).TotalCount;
    const response = await api().call('CreateKey', { Description: 'bell \u0007 inside', ...XML });
    const { root, content } = xmlAnswer(response, 400);
    assert.equal(root, 'Error');
    assert.equal(content.Code, 'InvalidParameter');
    assert.equal(content.Message, 'The specified parameter "Format" is not valid.');
    assert.equal(ok(await api().call('ListKeys', { PageSize: 100 })).TotalCount, before);
  });

  it('refuses with InvalidParameter Format an answer XML cannot carry (a plaintext sealed through JSON), never altering it, and audits that refusal', async () => {
    const sealed = await encryptUnder(api(), keyId, 'nul \u0000 and escape \u001b');
    assert.equal(ok(await api().call('Decrypt', { CiphertextBlob: sealed })).Plaintext, 'nul \u0000 and escape \u001b');
    const response = await api().call('Decrypt', { CiphertextBlob: sealed, ...XML });
    const { content } = xmlAnswer(response, 400);
    assert.equal(content.Code, 'InvalidParameter');
    assert.equal(content.Message, 'The specified parameter "Format" is not valid.');
    assert.ok(!response.text.includes('nul'), 'no part of the plaintext is shown');
    const event = api().auditEvents.find((candidate) => candidate.requestId === content.RequestId);
    assert.ok(event, 'the request was audited');
    assert.equal(event.action, 'Decrypt');
    assert.equal(event.errorKind, 'InvalidInput');
  });
});

describe('Recommend', () => {
  it('points, without --error-help-url, to the docs/errors.md this server serves, the Code as q', async () => {
    const body = refused(await api().call('DescribeKey', {}), { status: 400, code: 'MissingParameter' });
    assert.equal(body.Recommend, '/docs/errors.md?q=MissingParameter');
    const response = await api().app.inject({ method: 'GET', url: body.Recommend });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/plain;charset=utf-8');
    assert.equal(response.body, readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8'));
    assert.ok(response.body.includes('`MissingParameter`'));
  });

  it('is the --error-help-url with the Code as its q parameter, in JSON and in XML', async () => {
    const custom = await createInjectApi({ errorHelpUrl: 'https://wiki.example.com/kms/errors?lang=en#codes' });
    try {
      const json = (await custom.call('DescribeKey', { KeyId: 'alias/none' })).json;
      assert.deepEqual(Object.keys(json), ERROR_BODY_FIELDS);
      assert.equal(json.Code, 'Forbidden.AliasNotFound');
      assert.equal(json.Recommend, 'https://wiki.example.com/kms/errors?lang=en&q=Forbidden.AliasNotFound#codes');
      const { content } = xmlAnswer(await custom.call('DescribeKey', { KeyId: 'alias/none', ...XML }), 404);
      assert.equal(content.Recommend, 'https://wiki.example.com/kms/errors?lang=en&q=Forbidden.AliasNotFound#codes');
    } finally {
      await custom.close();
    }
  });
});
