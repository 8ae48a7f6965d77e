// The order of verifyRequest's checks, for both schemes: a request is canonicalised (its parameters
// percent-encoded and sorted, its body hashed) only after its access key is found and its
// timestamp is inside the window, so a request nobody could have signed costs no more than reading
// its claim. A parameter holding a lone surrogate, which only canonicalisation refuses
// (IncompleteSignature), shows whether canonicalisation ran.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { SignedRequest } from '../../../src/api/signature/signed-request.js';
import { captureById, timestampMsOf, toSignedRequest, withQueryValue } from './captures.js';
import { assertRefused, MINUTE_MS, verify } from './helpers.js';

/** A parameter that cannot be percent-encoded: canonicalising the request throws. */
const UNENCODABLE: readonly [string, string] = ['Padding', '\uD800'];

function withUnencodableParameter(request: SignedRequest): SignedRequest {
  return { ...request, query: [...request.query, UNENCODABLE] };
}

const schemes: ReadonlyArray<{ name: string; request: () => SignedRequest; accessKeyIn: (request: SignedRequest) => SignedRequest }> = [
  {
    name: 'HMAC-SHA1 signature 1.0 (D1)',
    request: () => toSignedRequest(captureById('D1')),
    accessKeyIn: (request) => withQueryValue(request, 'AccessKeyId', 'nobody'),
  },
  {
    name: 'ACS3-HMAC-SHA256 (A1)',
    request: () => toSignedRequest(captureById('A1')),
    accessKeyIn: (request) => ({
      ...request,
      headers: {
        ...request.headers,
        authorization: String(request.headers.authorization).replace('Credential=testid', 'Credential=nobody'),
      },
    }),
  },
];

for (const scheme of schemes) {
  void describe(`verifyRequest, ${scheme.name}: nothing is canonicalised before the access key and the timestamp pass`, () => {
    void it('the probe works: a known key with an unencodable parameter is refused by canonicalisation (IncompleteSignature)', async () => {
      await assertRefused(verify(withUnencodableParameter(scheme.request())), 'IncompleteSignature', 'not well-formed text');
    });

    void it('an unknown access key is refused with InvalidAccessKeyId.NotFound, looked up once, before canonicalisation', async () => {
      const looked: string[] = [];
      const request = withUnencodableParameter(scheme.accessKeyIn(scheme.request()));
      await assertRefused(
        verify(request, {
          lookup: (accessKeyId) => {
            looked.push(accessKeyId);
            return Promise.resolve(undefined);
          },
        }),
        'UnknownAccessKey',
      );
      assert.deepEqual(looked, ['nobody']);
    });

    void it('a timestamp 16 minutes off is refused with InvalidTimeStamp.Expired before canonicalisation', async () => {
      const request = withUnencodableParameter(scheme.request());
      await assertRefused(verify(request, { nowMs: timestampMsOf(request) + 16 * MINUTE_MS }), 'RequestExpired');
    });
  });
}
