// The AWS front end through inject(), requests signed by the SDK's own signer (@smithy/signature-v4):
// every request, refused or not, goes through the one runner: authorised by the same
// Authorizer with the same RAM action and Arca Arn, audited with source `aws`, throttled by the
// same limiter, replays refused by the same guard.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

import { KmsError } from '../../src/domain/errors.js';
import type { AuthorizationRequest, Authorizer } from '../../src/pipeline/authorizer.js';
import { administratorOnly } from '../../src/pipeline/authorizer.js';
import { ADMIN_CREDENTIALS, createInjectApi, INJECT_HOST, type InjectApi, type PreparedRequest } from '../support/inject-api.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function signedAws(
  api: InjectApi,
  operation: string,
  members: Record<string, unknown>,
  options: { secret?: string; body?: string } = {},
): Promise<PreparedRequest> {
  const body = options.body ?? JSON.stringify(members);
  const signer = new SignatureV4({
    service: 'kms',
    region: 'us-east-1',
    credentials: { accessKeyId: ADMIN_CREDENTIALS.accessKeyId, secretAccessKey: options.secret ?? ADMIN_CREDENTIALS.accessKeySecret },
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: INJECT_HOST,
      path: '/',
      headers: {
        host: INJECT_HOST,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `TrentService.${operation}`,
        'content-length': String(Buffer.byteLength(body)),
      },
      body,
    },
    { signingDate: new Date(api.clock.now()) },
  );
  return { method: 'POST', path: '/', headers: signed.headers, body: Buffer.from(body) };
}

async function callAws(api: InjectApi, operation: string, members: Record<string, unknown> = {}) {
  return api.send(await signedAws(api, operation, members));
}

const lastEvent = (api: InjectApi) => api.auditEvents.at(-1);

describe('the AWS front end on the one pipeline', () => {
  it('answers AWS JSON 1.1 with x-amzn-RequestId, and audits the request with source aws', async () => {
    const api = await createInjectApi();
    const created = await callAws(api, 'CreateKey', {});
    assert.equal(created.statusCode, 200);
    assert.equal(created.headers['content-type'], 'application/x-amz-json-1.1');
    assert.match(String(created.headers['x-amzn-requestid']), UUID);
    const keyId = created.json.KeyMetadata.KeyId;
    const sealed = await callAws(api, 'Encrypt', { KeyId: keyId, Plaintext: Buffer.from('x').toString('base64') });
    assert.equal(sealed.statusCode, 200);
    const event = lastEvent(api);
    assert.equal(event?.source, 'aws');
    assert.equal(event?.action, 'Encrypt');
    assert.equal(event?.result, 'Success');
    assert.equal(event?.requestId, sealed.headers['x-amzn-requestid']);
    assert.equal(event?.identity.accessKeyId, ADMIN_CREDENTIALS.accessKeyId);
    assert.deepEqual(
      event?.resources.map((resource) => resource.arn),
      [`acs:kms:${api.region}:${api.accountId}:key/${keyId}`],
    );
    await api.close();
  });

  it('asks the same Authorizer, with the RAM action the operation maps to, and audits the denial', async () => {
    const asked: AuthorizationRequest[] = [];
    const authorizer: Authorizer = {
      authorize: async (request) => {
        asked.push(request);
        await administratorOnly.authorize(request);
        if (request.action === 'UpdateRotationPolicy') throw new KmsError('AccessDenied');
      },
    };
    const api = await createInjectApi({ authorizer });
    const keyId = (await callAws(api, 'CreateKey', {})).json.KeyMetadata.KeyId;
    const denied = await callAws(api, 'EnableKeyRotation', { KeyId: keyId });
    assert.equal(denied.statusCode, 400);
    assert.equal(denied.json.__type, 'AccessDeniedException');
    assert.deepEqual(
      asked.map(({ action, resourceArn }) => [action, resourceArn]),
      [
        ['CreateKey', `acs:kms:${api.region}:${api.accountId}:key`],
        ['UpdateRotationPolicy', `acs:kms:${api.region}:${api.accountId}:key/${keyId}`],
      ],
    );
    const event = lastEvent(api);
    assert.equal(event?.action, 'UpdateRotationPolicy');
    assert.equal(event?.result, 'AccessDeniedException');
    assert.equal(event?.errorKind, 'AccessDenied');
    await api.close();
  });

  it('audits a request with a bad signature under the access key it claimed', async () => {
    const api = await createInjectApi();
    const response = await api.send(await signedAws(api, 'ListKeys', {}, { secret: 'not the secret' }));
    assert.equal(response.json.__type, 'InvalidSignatureException');
    const event = lastEvent(api);
    assert.equal(event?.source, 'aws');
    assert.equal(event?.action, 'ListKeys');
    assert.deepEqual(event?.identity, { type: 'anonymous', accessKeyId: ADMIN_CREDENTIALS.accessKeyId });
    assert.equal(event?.errorKind, 'SignatureMismatch');
    await api.close();
  });

  it('refuses the same signed request sent twice: the replay guard holds its signature', async () => {
    const api = await createInjectApi();
    const request = await signedAws(api, 'CreateKey', { Description: 'once' });
    assert.equal((await api.send(request)).statusCode, 200);
    const replay = await api.send(request);
    assert.equal(replay.json.__type, 'InvalidSignatureException');
    assert.equal(lastEvent(api)?.errorKind, 'NonceReused');
    const keys = await callAws(api, 'ListKeys', {});
    assert.equal(keys.json.Keys.length, 1, 'the replay made no second key');
    await api.close();
  });

  it('throttles AWS requests with the same limiter (ThrottlingException, which the SDK retries)', async () => {
    const api = await createInjectApi({ rateLimit: { requestsPerSecond: 1, burst: 1 } });
    // Two different requests: the same one twice would be refused as a replay before the limiter.
    assert.equal((await callAws(api, 'ListKeys', { Limit: 1 })).statusCode, 200);
    const throttled = await callAws(api, 'ListKeys', { Limit: 2 });
    assert.equal(throttled.json.__type, 'ThrottlingException');
    await api.close();
  });

  it('names an unknown operation UnknownOperationException after the signature, and a body that is not JSON SerializationException', async () => {
    const api = await createInjectApi();
    assert.equal((await callAws(api, 'CreateGrant', { KeyId: 'x' })).json.__type, 'UnknownOperationException');
    assert.equal((await api.send(await signedAws(api, 'ListKeys', {}, { body: '[1]' }))).json.__type, 'SerializationException');
    await api.close();
  });

  it("answers a body over the limit, and a method without a route, in AWS's shape", async () => {
    const api = await createInjectApi();
    const big = await signedAws(api, 'Encrypt', {}, { body: `{"Plaintext":"${'A'.repeat(300 * 1024)}"}` });
    const tooLarge = await api.send(big);
    assert.equal(tooLarge.statusCode, 413);
    assert.equal(tooLarge.json.__type, 'RequestEntityTooLargeException');
    assert.match(String(tooLarge.headers['x-amzn-requestid']), UUID);
    const put = await api.send({ ...(await signedAws(api, 'ListKeys', {})), method: 'PUT' });
    assert.equal(put.json.__type, 'UnknownOperationException');
    assert.equal(lastEvent(api)?.source, 'aws');
    await api.close();
  });

  it('a blob of bytes that are not UTF-8, sealed through AWS, opens through Alibaba as base64, marked so', async () => {
    const api = await createInjectApi();
    const keyId = (await callAws(api, 'CreateKey', {})).json.KeyMetadata.KeyId;
    const bytes = Buffer.from([0xc3, 0x28, 0x00, 0xff]);
    const sealed = await callAws(api, 'Encrypt', { KeyId: keyId, Plaintext: bytes.toString('base64') });
    const opened = await api.call('Decrypt', { CiphertextBlob: sealed.json.CiphertextBlob });
    assert.equal(opened.json.Plaintext, bytes.toString('base64'));
    assert.equal(opened.json.PlaintextEncoding, 'base64');
    const text = await callAws(api, 'Encrypt', { KeyId: keyId, Plaintext: Buffer.from('text ✓').toString('base64') });
    assert.deepEqual(
      [(await api.call('Decrypt', { CiphertextBlob: text.json.CiphertextBlob })).json.Plaintext, opened.json.KeyId],
      ['text ✓', keyId],
    );
    await api.close();
  });

  it('gives Encrypt of a plaintext over 4096 bytes the ValidationException AWS gives, naming plaintext', async () => {
    const api = await createInjectApi();
    const keyId = (await callAws(api, 'CreateKey', {})).json.KeyMetadata.KeyId;
    const response = await callAws(api, 'Encrypt', { KeyId: keyId, Plaintext: Buffer.alloc(4097).toString('base64') });
    assert.equal(response.json.__type, 'ValidationException');
    assert.match(response.json.message, /'plaintext'/);
    await api.close();
  });
});
