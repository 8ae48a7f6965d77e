import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { hmacSha1V1Signature, hmacSha1V1StringToSign } from '../../../src/api/signature/hmac-sha1-v1.js';
import { canonicalQuery, pe } from '../../../src/api/signature/percent-encode.js';
import type { SignedRequest } from '../../../src/api/signature/signed-request.js';
import {
  captureById,
  loadCaptures,
  TEST_SECRET,
  timestampMsOf,
  toSignedRequest,
  withHeader,
  withoutQueryParam,
  withQueryValue,
} from './captures.js';
import {
  assertRefused,
  itChecksTheClockWindowAndTheNonce,
  itRefusesAlteredQueriesAndOtherSecrets,
  itVerifiesEachCapture,
  verify,
} from './helpers.js';

/** Signs `request` again (query and form parameters, minus Signature) with the code under test. */
function resigned(request: SignedRequest, secret = TEST_SECRET): SignedRequest {
  const unsigned = withoutQueryParam(request, 'Signature');
  const params = [...unsigned.query, ...unsigned.formParams];
  const signature = hmacSha1V1Signature(hmacSha1V1StringToSign(request.method, params), secret);
  return { ...unsigned, query: [...unsigned.query, ['Signature', signature]] };
}

const v1Captures = loadCaptures().filter((capture) => /[?&]Signature=/.test(capture.target) || capture.id === 'C3');

/** D1: npm 1.2.0, Encrypt, every parameter in the query. */
function d1(): SignedRequest {
  return toSignedRequest(captureById('D1'));
}

/** C3: openapi-client with signature 1.0, business parameters in a form body. */
function c3(): SignedRequest {
  return toSignedRequest(captureById('C3'));
}

void describe('HMAC-SHA1 signature 1.0: real SDK captures', () => {
  void it('the fixture holds the eight signature 1.0 captures (B1–B3, C3, D1–D4)', () => {
    assert.deepEqual(
      v1Captures.map((capture) => capture.id),
      ['B1', 'B2', 'B3', 'C3', 'D1', 'D2', 'D3', 'D4'],
    );
  });

  itVerifiesEachCapture(v1Captures, 'HMAC-SHA1', (request) => request.query.find(([key]) => key === 'SignatureNonce')?.[1]);

  for (const capture of v1Captures) {
    void it(`${capture.id}: the string to sign equals the recomputed one`, () => {
      const request = withoutQueryParam(toSignedRequest(capture), 'Signature');
      assert.equal(hmacSha1V1StringToSign(request.method, [...request.query, ...request.formParams]), capture.stringToSign);
    });
  }

  void it('C3: the form body parameters are signed together with the query', () => {
    assert.deepEqual(c3().formParams, [
      ['KeyId', 'alias/x'],
      ['Plaintext', 'aGVsbG8='],
    ]);
  });
});

void describe('HMAC-SHA1 signature 1.0: the documented test vector', () => {
  const docParams = [
    ['AccessKeyId', 'testid'],
    ['Action', 'CreateKey'],
    ['Format', 'json'],
    ['SignatureMethod', 'HMAC-SHA1'],
    ['SignatureVersion', '1.0'],
    ['Timestamp', '2016-03-28T03:13:08Z'],
    ['Version', '2016-01-20'],
  ] as const;
  const docStringToSign =
    'GET&%2F&AccessKeyId%3Dtestid&Action%3DCreateKey&Format%3Djson&SignatureMethod%3DHMAC-SHA1' +
    '&SignatureVersion%3D1.0&Timestamp%3D2016-03-28T03%253A13%253A08Z&Version%3D2016-01-20';

  void it('the documented StringToSign signed with testsecret gives s/OdVWMTmNGagvWlljdAJ7Itsew=', () => {
    assert.equal(hmacSha1V1Signature(docStringToSign, TEST_SECRET), 's/OdVWMTmNGagvWlljdAJ7Itsew=');
  });

  void it('the documented parameters canonicalise into the same pairs as the documented StringToSign', () => {
    // The documentation's sample leaves the outer '&' and '=' unencoded; decoding both sides
    // once compares what is signed, whatever the sample's typography.
    const ours = hmacSha1V1StringToSign('GET', [...docParams].reverse());
    assert.equal(decodeURIComponent(ours), decodeURIComponent(docStringToSign));
  });

  void it('the documented request, which has no SignatureNonce, is refused with MissingParameter naming it', async () => {
    const signature = hmacSha1V1Signature(hmacSha1V1StringToSign('GET', docParams), TEST_SECRET);
    const request: SignedRequest = {
      method: 'GET',
      path: '/',
      query: [...docParams, ['Signature', signature]],
      formParams: [],
      body: Buffer.alloc(0),
      headers: { host: 'kms.cn-hangzhou.aliyuncs.com' },
    };
    await assertRefused(verify(request), 'MissingInput', '"SignatureNonce"');
  });
});

void describe('HMAC-SHA1 signature 1.0: percent-encoding', () => {
  void it("pe escapes !'()* and space, and keeps ~ and -_. literal", () => {
    assert.equal(pe("a+b/c= d*(')!~-_."), 'a%2Bb%2Fc%3D%20d%2A%28%27%29%21~-_.');
  });

  void it('pe encodes non-ASCII text as UTF-8', () => {
    assert.equal(pe('é€'), '%C3%A9%E2%82%AC');
  });

  void it('canonicalQuery sorts by key, then value, and keeps repeated names', () => {
    assert.equal(
      canonicalQuery([
        ['b', '2'],
        ['a', 'y'],
        ['a', 'x'],
        ['A', ''],
      ]),
      'A=&a=x&a=y&b=2',
    );
  });

  void it("a request carrying the characters *()'!~ in a value verifies", async () => {
    const request = resigned(withQueryValue(d1(), 'Plaintext', "a+b/c= d*(')!~"));
    await verify(request);
  });
});

void describe('HMAC-SHA1 signature 1.0: tampering is refused with SignatureDoesNotMatch', () => {
  itRefusesAlteredQueriesAndOtherSecrets(d1);

  void it('an altered form body value', async () => {
    const request = c3();
    const formParams = request.formParams.map(([key, value]) => [key, key === 'KeyId' ? 'alias/y' : value] as const);
    await assertRefused(verify({ ...request, formParams }), 'SignatureMismatch');
  });

  void it('an altered method (POST signed, GET sent)', async () => {
    await assertRefused(verify({ ...d1(), method: 'GET' }), 'SignatureMismatch');
  });

  void it('a signature made with another secret', async () => {
    await assertRefused(verify(resigned(d1(), 'othersecret')), 'SignatureMismatch');
  });

  void it('a Signature that is the right one re-encoded differently (no padding)', async () => {
    const request = d1();
    const signature = request.query.find(([key]) => key === 'Signature')?.[1] ?? '';
    await assertRefused(verify(withQueryValue(request, 'Signature', signature.replace(/=+$/, ''))), 'SignatureMismatch');
  });

  void it('headers are not covered by this scheme: a changed host still verifies', async () => {
    await verify(withHeader(d1(), 'host', 'elsewhere.example:1'));
  });
});

void describe('HMAC-SHA1 signature 1.0: malformed requests', () => {
  void it('no Signature parameter: the request is unsigned and refused with IncompleteSignature', async () => {
    await assertRefused(verify(withoutQueryParam(d1(), 'Signature')), 'IncompleteSignature', 'not signed');
  });

  void it('an empty Signature is refused with MissingParameter naming Signature', async () => {
    await assertRefused(verify(withQueryValue(d1(), 'Signature', '')), 'MissingInput', '"Signature"');
  });

  for (const name of ['SignatureMethod', 'SignatureVersion', 'AccessKeyId', 'SignatureNonce', 'Timestamp']) {
    void it(`a missing ${name} is refused with MissingParameter naming it`, async () => {
      const request = d1();
      await assertRefused(verify(withoutQueryParam(request, name), { nowMs: timestampMsOf(request) }), 'MissingInput', `"${name}"`);
    });
  }

  void it('SignatureMethod HMAC-SHA256 is refused with IncompleteSignature as unsupported', async () => {
    await assertRefused(verify(withQueryValue(d1(), 'SignatureMethod', 'HMAC-SHA256')), 'IncompleteSignature', 'not supported');
  });

  void it('SignatureVersion 2.0 is refused with IncompleteSignature as unsupported', async () => {
    await assertRefused(verify(withQueryValue(d1(), 'SignatureVersion', '2.0')), 'IncompleteSignature', 'not supported');
  });

  void it('an AccessKeyId given twice (query and form body) is refused with IncompleteSignature', async () => {
    const request = c3();
    await assertRefused(
      verify({ ...request, formParams: [...request.formParams, ['AccessKeyId', 'otherid']] }),
      'IncompleteSignature',
      'repeated',
    );
  });
});

void describe('HMAC-SHA1 signature 1.0: access key, timestamp and nonce', () => {
  itChecksTheClockWindowAndTheNonce(d1, (request) => withQueryValue(request, 'KeyId', 'alias/y'));

  void it('an unknown access key id is refused with InvalidAccessKeyId.NotFound', async () => {
    await assertRefused(verify(withQueryValue(d1(), 'AccessKeyId', 'otherid')), 'UnknownAccessKey');
  });

  void it('a Timestamp with milliseconds (yyyy-MM-ddTHH:mm:ss.SSSZ) is accepted', async () => {
    const request = resigned(withQueryValue(d1(), 'Timestamp', '2026-11-28T14:45:25.250Z'));
    const caller = await verify(request);
    assert.equal(caller.timestampMs, Date.UTC(2026, 10, 28, 14, 45, 25, 250));
  });

  for (const timestamp of ['2026-11-28 14:45:25', '2026-11-28T14:45:25+08:00', '2026-02-30T14:45:25Z', '1795963525']) {
    void it(`a Timestamp of ${timestamp} is refused with IllegalTimestamp`, async () => {
      const request = resigned(withQueryValue(d1(), 'Timestamp', timestamp));
      await assertRefused(verify(request, { nowMs: timestampMsOf(d1()) }), 'MalformedTimestamp');
    });
  }

  void it('a nonce longer than 128 characters is refused with InvalidParameter naming SignatureNonce', async () => {
    const request = resigned(withQueryValue(d1(), 'SignatureNonce', 'n'.repeat(129)));
    await assertRefused(verify(request), 'InvalidInput', '"SignatureNonce"');
  });
});
