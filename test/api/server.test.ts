// The Alibaba front end's own checks through inject(), before and around the action: which method
// runs an action, where the action and version may come from under each signature scheme, DryRun
// on actions that have none, and the bounds on parameters and headers a request may carry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ACTION_TABLE } from '../../src/api/action-table.js';
import { MAX_HEADER_COUNT } from '../../src/api/server.js';
import { MAX_PARAMETERS } from '../../src/api/request-parsing.js';
import {
  encodeParams,
  formatTimestamp,
  newNonce,
  signAcs3,
  signV1,
  v1SignatureOf,
  v1StringToSign,
  type PreparedRequest,
} from '../support/acs3-signer.js';
import { ADMIN_CREDENTIALS, createInjectApi, INJECT_HOST, type InjectApi, type InjectResponse } from '../support/inject-api.js';

let api: InjectApi;

before(async () => {
  api = await createInjectApi();
});

after(async () => {
  await api?.close();
});

function assertRefused(response: InjectResponse, status: number, code: string, message?: RegExp): void {
  assert.equal(response.statusCode, status, response.text);
  assert.equal(response.json?.Code, code, response.text);
  if (message) assert.match(response.json?.Message ?? '', message);
  assert.equal(response.headers['x-acs-request-id'], response.json?.RequestId);
}

async function createKey(): Promise<string> {
  const response = await api.call('CreateKey');
  assert.equal(response.statusCode, 200, response.text);
  return response.json.KeyMetadata.KeyId;
}

async function keyState(keyId: string): Promise<string> {
  return (await api.call('DescribeKey', { KeyId: keyId })).json.KeyMetadata.KeyState;
}

async function keyCount(): Promise<number> {
  return (await api.call('ListKeys', { PageSize: 100 })).json.TotalCount;
}

const v1 = (options: Partial<Parameters<typeof signV1>[0]> = {}): PreparedRequest =>
  signV1({ credentials: ADMIN_CREDENTIALS, host: INJECT_HOST, timestamp: api.clock.now(), ...options });

describe('signature 1.0 takes the action and the version from its signed parameters only', () => {
  it('a v1 signature over {KeyId} with an unsigned x-acs-action: DisableKey header is refused with MissingParameter Action; the key stays Enabled', async () => {
    const keyId = await createKey();
    for (const method of ['GET', 'POST'] as const) {
      const request = v1({ method, params: { KeyId: keyId } });
      request.headers['x-acs-action'] = 'DisableKey';
      assertRefused(await api.send(request), 400, 'MissingParameter', /"Action"/);
    }
    assert.equal(await keyState(keyId), 'Enabled');
  });

  it('an unsigned x-acs-version header does not stand in for an absent Version parameter', async () => {
    const pairs: Array<[string, string]> = [
      ['Action', 'DescribeRegions'],
      ['Format', 'JSON'],
      ['AccessKeyId', ADMIN_CREDENTIALS.accessKeyId],
      ['SignatureMethod', 'HMAC-SHA1'],
      ['SignatureVersion', '1.0'],
      ['SignatureNonce', newNonce()],
      ['Timestamp', formatTimestamp(api.clock.now())],
    ];
    const signature = v1SignatureOf(v1StringToSign('GET', pairs), ADMIN_CREDENTIALS.accessKeySecret);
    const request: PreparedRequest = {
      method: 'GET',
      path: `/?${encodeParams([...pairs, ['Signature', signature]])}`,
      headers: { host: INJECT_HOST, 'x-acs-version': '2016-01-20' },
      body: Buffer.alloc(0),
    };
    assertRefused(await api.send(request), 400, 'MissingParameter', /"Version"/);
  });

  it('under ACS3 the signed x-acs-action and x-acs-version headers still name the action', async () => {
    const response = await api.send(
      signAcs3({ credentials: ADMIN_CREDENTIALS, host: INJECT_HOST, action: 'DescribeRegions', date: api.clock.now() }),
    );
    assert.equal(response.statusCode, 200, response.text);
  });
});

describe('methods', () => {
  it('a signed HEAD request is refused with 403 UnsupportedHTTPMethod and runs nothing (ACS3 and v1)', async () => {
    const before = await keyCount();
    const acs3 = signAcs3({
      credentials: ADMIN_CREDENTIALS,
      host: INJECT_HOST,
      method: 'HEAD',
      action: 'CreateKey',
      date: api.clock.now(),
    });
    const viaAcs3 = await api.app.inject({ method: 'HEAD', url: acs3.path, headers: acs3.headers });
    assert.equal(viaAcs3.statusCode, 403);
    const signed = v1({ method: 'HEAD', action: 'CreateKey' });
    const viaV1 = await api.app.inject({ method: 'HEAD', url: signed.path, headers: signed.headers });
    assert.equal(viaV1.statusCode, 403);
    const audited = api.auditEvents.slice(-2).map((event) => event.result);
    assert.deepEqual(audited, ['UnsupportedHTTPMethod', 'UnsupportedHTTPMethod']);
    assert.equal(await keyCount(), before);
  });

  it('GET and POST still run actions', async () => {
    assert.equal((await api.call('DescribeRegions', {}, { method: 'GET' })).statusCode, 200);
    assert.equal((await api.call('DescribeRegions', {}, { method: 'POST' })).statusCode, 200);
  });
});

describe('DryRun on an action that has no dry run', () => {
  const withoutDryRun = [...ACTION_TABLE.values()].filter((entry) => !entry.takesDryRun).map((entry) => entry.action);

  it(`is refused with 400 InvalidParameter DryRun by each of the ${withoutDryRun.length} actions without one, before it reads anything else`, async () => {
    const before = await keyCount();
    for (const action of withoutDryRun) {
      assertRefused(await api.call(action, { DryRun: true }), 400, 'InvalidParameter', /"DryRun"/);
    }
    assert.equal(await keyCount(), before);
  });

  it('DryRun=false is accepted and the action runs', async () => {
    assert.equal((await api.call('DescribeRegions', { DryRun: false })).statusCode, 200);
  });
});

describe(`at most ${MAX_PARAMETERS} parameters, query and form body together`, () => {
  /** `count` parameters in all: the signature 1.0 ones of DescribeRegions, then `P0`, `P1` … */
  function v1WithParameters(count: number, accessKeyId = ADMIN_CREDENTIALS.accessKeyId): PreparedRequest {
    const common = 10; // Action, Version, Format, RegionId, AccessKeyId, SignatureMethod, SignatureVersion, SignatureNonce, Timestamp, Signature
    const params = Array.from({ length: count - common }, (_, index) => [`P${index}`, ''] as [string, string]);
    return v1({ method: 'POST', action: 'DescribeRegions', params, inBody: true, credentials: { ...ADMIN_CREDENTIALS, accessKeyId } });
  }

  it(`a signed request with exactly ${MAX_PARAMETERS} is served`, async () => {
    const response = await api.send(v1WithParameters(MAX_PARAMETERS));
    assert.equal(response.statusCode, 200, response.text);
  });

  it(`${MAX_PARAMETERS + 1} are refused with 413 InvalidParameter.RequestTooLarge, before the access key is looked up`, async () => {
    assertRefused(await api.send(v1WithParameters(MAX_PARAMETERS + 1)), 413, 'InvalidParameter.RequestTooLarge');
    assertRefused(await api.send(v1WithParameters(MAX_PARAMETERS + 1, 'LTAInobody')), 413, 'InvalidParameter.RequestTooLarge');
  });

  it('a 255 KiB form body of 52,000 tiny parameters, from an unknown key, is refused with 413', async () => {
    const tiny = Array.from({ length: 52_000 }, (_, index) => index.toString(36)).join('&');
    const body = Buffer.from(`AccessKeyId=LTAInobody&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&Signature=x&${tiny}`);
    assert.ok(body.length < 256 * 1024);
    const response = await api.send({
      method: 'POST',
      path: '/',
      headers: { host: INJECT_HOST, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    assertRefused(response, 413, 'InvalidParameter.RequestTooLarge');
  });

  it('the query and the form body count together', async () => {
    const query = Array.from({ length: MAX_PARAMETERS / 2 }, (_, index) => `Q${index}=`).join('&');
    const form = Array.from({ length: MAX_PARAMETERS / 2 + 1 }, (_, index) => `F${index}=`).join('&');
    const response = await api.send({
      method: 'POST',
      path: `/?${query}`,
      headers: { host: INJECT_HOST, 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(form),
    });
    assertRefused(response, 413, 'InvalidParameter.RequestTooLarge');
  });
});

describe(`at most ${MAX_HEADER_COUNT} headers`, () => {
  function withHeaders(total: number): PreparedRequest {
    const request = signAcs3({ credentials: ADMIN_CREDENTIALS, host: INJECT_HOST, action: 'DescribeRegions', date: api.clock.now() });
    // inject() adds user-agent; content-length is absent for an empty POST body.
    const present = Object.keys(request.headers).length + 1;
    for (let index = 0; present + index < total; index += 1) request.headers[`x-pad-${index}`] = 'p';
    return request;
  }

  it(`a signed request with ${MAX_HEADER_COUNT} headers is served`, async () => {
    const response = await api.send(withHeaders(MAX_HEADER_COUNT));
    assert.equal(response.statusCode, 200, response.text);
  });

  it(`${MAX_HEADER_COUNT + 1} are refused with 413 InvalidParameter.RequestTooLarge`, async () => {
    assertRefused(await api.send(withHeaders(MAX_HEADER_COUNT + 1)), 413, 'InvalidParameter.RequestTooLarge');
  });
});

describe('a request refused as malformed before its signature is checked still names the access key it claimed', () => {
  function lastEventOf(response: InjectResponse): (typeof api.auditEvents)[number] | undefined {
    const requestId: unknown = response.json?.RequestId;
    return api.auditEvents.find((event) => event.requestId === requestId);
  }

  it('ACS3 with a malformed Signature: IncompleteSignature, audited with the Credential of the Authorization header', async () => {
    const request = signAcs3({ credentials: ADMIN_CREDENTIALS, host: INJECT_HOST, action: 'DescribeRegions', date: api.clock.now() });
    request.headers.authorization = (request.headers.authorization ?? '').replace(/Signature=[0-9a-f]+/, 'Signature=not-hex');
    const response = await api.send(request);
    assertRefused(response, 400, 'IncompleteSignature');
    const event = lastEventOf(response);
    assert.deepEqual(event?.identity, { type: 'anonymous', accessKeyId: ADMIN_CREDENTIALS.accessKeyId });
  });

  it('signature 1.0 with an unsupported SignatureMethod: audited with its AccessKeyId parameter, cut to a bounded length', async () => {
    const longId = `LTAI${'x'.repeat(5_000)}`;
    const request = v1({ action: 'DescribeRegions', credentials: { ...ADMIN_CREDENTIALS, accessKeyId: longId } });
    assert.match(request.path, /SignatureMethod=HMAC-SHA1/);
    request.path = request.path.replace('SignatureMethod=HMAC-SHA1', 'SignatureMethod=HMAC-MD5');
    const response = await api.send(request);
    assertRefused(response, 400, 'IncompleteSignature');
    const event = lastEventOf(response);
    assert.equal(event?.identity.type, 'anonymous');
    assert.equal(event?.identity.accessKeyId, longId.slice(0, 128));
  });
});
