import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import { acs3Signature, acs3StringToSign, canonicalRequest } from '../../../src/api/signature/acs3-hmac.js';
import type { SignedRequest } from '../../../src/api/signature/signed-request.js';
import { captureById, loadCaptures, TEST_ACCESS_KEY_ID, TEST_SECRET, timestampMsOf, toSignedRequest, withHeader } from './captures.js';
import {
  assertRefused,
  itChecksTheClockWindowAndTheNonce,
  itRefusesAlteredQueriesAndOtherSecrets,
  itVerifiesEachCapture,
  verify,
} from './helpers.js';

function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function signedHeadersOf(request: SignedRequest): string[] {
  const match = /SignedHeaders=([^,]+)/.exec(String(request.headers.authorization));
  return (match?.[1] ?? '').split(';');
}

/** Signs `request` again over `signedHeaders`, the way an SDK would, with the code under test. */
function resigned(request: SignedRequest, signedHeaders: readonly string[], secret = TEST_SECRET): SignedRequest {
  const stringToSign = acs3StringToSign('ACS3-HMAC-SHA256', canonicalRequest(request, signedHeaders, sha256Hex(request.body)));
  const signature = acs3Signature('ACS3-HMAC-SHA256', stringToSign, secret);
  return withHeader(
    request,
    'authorization',
    `ACS3-HMAC-SHA256 Credential=${TEST_ACCESS_KEY_ID},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`,
  );
}

function withAuthorizationReplaced(request: SignedRequest, from: RegExp, to: string): SignedRequest {
  return withHeader(request, 'authorization', String(request.headers.authorization).replace(from, to));
}

const acs3Captures = loadCaptures().filter((capture) => String(capture.headers.authorization ?? '').startsWith('ACS3-HMAC-SHA256 '));
const acs4Captures = loadCaptures().filter((capture) => String(capture.headers.authorization ?? '').startsWith('ACS4-'));

/** A1: Encrypt with KeyId and Plaintext in the query, empty body. */
function a1(): SignedRequest {
  return toSignedRequest(captureById('A1'));
}

void describe('ACS3-HMAC-SHA256: real SDK captures', () => {
  void it('the fixture holds the fifteen ACS3 captures (A1–A13, C1, C2) and two ACS4 ones', () => {
    assert.deepEqual(
      acs3Captures.map((capture) => capture.id),
      ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9', 'A10', 'A11', 'A12', 'A13', 'C1', 'C2'],
    );
    assert.deepEqual(
      acs4Captures.map((capture) => capture.id),
      ['E1', 'E2'],
    );
  });

  itVerifiesEachCapture(acs3Captures, 'ACS3-HMAC-SHA256', (request) => request.headers['x-acs-signature-nonce']);

  for (const capture of [...acs3Captures, ...acs4Captures]) {
    void it(`${capture.id}: the canonical request rebuilt from decoded values equals the recomputed one`, () => {
      const request = toSignedRequest(capture);
      assert.equal(canonicalRequest(request, signedHeadersOf(request), sha256Hex(request.body)), capture.canonicalRequest);
    });
  }

  void it("A3: a query whose raw form leaves *()'!~ unescaped verifies, re-encoded canonically", async () => {
    const request = toSignedRequest(captureById('A3'));
    assert.equal(request.query.find(([key]) => key === 'Plaintext')?.[1], "a+b/c= d*(')!~");
    const canonical = canonicalRequest(request, signedHeadersOf(request), sha256Hex(request.body));
    assert.match(canonical, /&Plaintext=a%2Bb%2Fc%3D%20d%2A%28%27%29%21~\n/);
    await verify(request);
  });

  void it('A13: the STS headers x-acs-accesskey-id and x-acs-security-token are honoured as signed', async () => {
    const request = toSignedRequest(captureById('A13'));
    assert.ok(signedHeadersOf(request).includes('x-acs-security-token'));
    await verify(request);
  });

  void it('signing A1 again over its own signed headers reproduces the SDK signature', () => {
    const request = a1();
    assert.equal(resigned(request, signedHeadersOf(request)).headers.authorization, request.headers.authorization);
  });

  for (const capture of acs4Captures) {
    void it(`${capture.id} (ACS4-HMAC-SHA256) is refused with IncompleteSignature saying the algorithm is unsupported`, async () => {
      await assertRefused(verify(toSignedRequest(capture)), 'IncompleteSignature', 'ACS4-HMAC-SHA256 is not supported');
    });
  }
});

void describe('ACS3-HMAC-SHA256: tampering is refused with SignatureDoesNotMatch', () => {
  itRefusesAlteredQueriesAndOtherSecrets(a1);

  void it('an altered signed header (x-acs-action)', async () => {
    await assertRefused(verify(withHeader(a1(), 'x-acs-action', 'Decrypt')), 'SignatureMismatch');
  });

  void it('an altered host port', async () => {
    await assertRefused(verify(withHeader(a1(), 'host', '127.0.0.1:43056')), 'SignatureMismatch');
  });

  void it('an altered host name', async () => {
    await assertRefused(verify(withHeader(a1(), 'host', 'kms.example.com:43055')), 'SignatureMismatch');
  });

  void it('an altered method', async () => {
    await assertRefused(verify({ ...a1(), method: 'GET' }), 'SignatureMismatch');
  });

  void it('a body added to a request signed with an empty body', async () => {
    await assertRefused(verify({ ...a1(), body: Buffer.from('KeyId=alias%2Fy') }), 'SignatureMismatch');
  });

  void it('an altered body whose x-acs-content-sha256 was updated to match it', async () => {
    const body = Buffer.from('{"KeyId":"alias/y"}');
    const request = withHeader({ ...a1(), body }, 'x-acs-content-sha256', sha256Hex(body));
    await assertRefused(verify(request), 'SignatureMismatch');
  });

  void it('an x-acs-content-sha256 that does not match the body, even when the signature is otherwise correct', async () => {
    const request = withHeader(a1(), 'x-acs-content-sha256', sha256Hex(Buffer.from('other')));
    await assertRefused(verify(resigned(request, signedHeadersOf(request))), 'SignatureMismatch');
  });

  void it('a signature made with another secret', async () => {
    const request = a1();
    await assertRefused(verify(resigned(request, signedHeadersOf(request), 'othersecret')), 'SignatureMismatch');
  });
});

void describe('ACS3-HMAC-SHA256: malformed or under-signed requests are refused with IncompleteSignature', () => {
  void it('no Authorization header and no Signature parameter: the request is unsigned', async () => {
    await assertRefused(verify(withHeader(a1(), 'authorization', undefined)), 'IncompleteSignature', 'not signed');
  });

  void it('an Authorization header without Signature', async () => {
    await assertRefused(verify(withAuthorizationReplaced(a1(), /,Signature=[0-9a-f]+/, '')), 'IncompleteSignature', 'lacks Signature');
  });

  void it('an Authorization header without Credential', async () => {
    await assertRefused(verify(withAuthorizationReplaced(a1(), /Credential=testid,/, '')), 'IncompleteSignature', 'lacks Credential');
  });

  void it('a signature that is not 64 lower-case hex digits', async () => {
    await assertRefused(
      verify(
        withAuthorizationReplaced(
          a1(),
          /Signature=([0-9a-f]+)/,
          'Signature=2AF658374E101DB55B0DAFECD3536E1BD7A3AC9CF1A4306E072DD3EDE7727092',
        ),
      ),
      'IncompleteSignature',
    );
  });

  void it('a repeated Authorization header', async () => {
    const authorization = String(a1().headers.authorization);
    await assertRefused(verify(withHeader(a1(), 'authorization', [authorization, authorization])), 'IncompleteSignature');
  });

  void it('host not in SignedHeaders, even with a signature that is correct over the rest', async () => {
    const request = a1();
    const withoutHost = signedHeadersOf(request).filter((name) => name !== 'host');
    await assertRefused(verify(resigned(request, withoutHost)), 'IncompleteSignature', 'must include host');
  });

  for (const required of ['x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256']) {
    void it(`${required} not in SignedHeaders, even with a signature that is correct over the rest`, async () => {
      const request = a1();
      const reduced = signedHeadersOf(request).filter((name) => name !== required);
      await assertRefused(verify(resigned(request, reduced)), 'IncompleteSignature', `must include ${required}`);
    });
  }

  void it('an x-acs-action header that is present but not signed', async () => {
    const request = a1();
    const reduced = signedHeadersOf(request).filter((name) => name !== 'x-acs-action');
    await assertRefused(verify(resigned(request, reduced)), 'IncompleteSignature', 'must include x-acs-action');
  });

  void it('an x-acs-version header that is present but not signed', async () => {
    const request = a1();
    const reduced = signedHeadersOf(request).filter((name) => name !== 'x-acs-version');
    await assertRefused(verify(resigned(request, reduced)), 'IncompleteSignature', 'must include x-acs-version');
  });

  void it('a content-type header left unsigned on a request with a body', async () => {
    const body = Buffer.from('KeyId=alias%2Fx');
    const request = withHeader(
      withHeader({ ...a1(), body }, 'content-type', 'application/x-www-form-urlencoded'),
      'x-acs-content-sha256',
      sha256Hex(body),
    );
    await assertRefused(verify(resigned(request, signedHeadersOf(a1()))), 'IncompleteSignature', 'must include content-type');
  });

  void it('a signed header that the request does not carry', async () => {
    const request = a1();
    const withExtra = [...signedHeadersOf(request), 'x-acs-zzz'];
    await assertRefused(verify(resigned(request, withExtra)), 'IncompleteSignature', 'x-acs-zzz is absent');
  });

  void it('SignedHeaders out of order', async () => {
    await assertRefused(
      verify(withAuthorizationReplaced(a1(), /SignedHeaders=host;x-acs-action;/, 'SignedHeaders=x-acs-action;host;')),
      'IncompleteSignature',
      'sorted',
    );
  });

  void it('SignedHeaders with an upper-case name', async () => {
    await assertRefused(verify(withAuthorizationReplaced(a1(), /SignedHeaders=host;/, 'SignedHeaders=Host;')), 'IncompleteSignature');
  });

  for (const algorithm of ['ACS3-RSA-SHA256', 'ACS3-HMAC-SHA512']) {
    void it(`the algorithm ${algorithm}, refused as unsupported`, async () => {
      await assertRefused(
        verify(withAuthorizationReplaced(a1(), /^ACS3-HMAC-SHA256/, algorithm)),
        'IncompleteSignature',
        `${algorithm} is not supported`,
      );
    });
  }
});

void describe('ACS3-HMAC-SHA256: access key, timestamp and nonce', () => {
  itChecksTheClockWindowAndTheNonce(a1, (request) => withHeader(request, 'host', 'evil.example:1'));

  void it('an unknown access key id is refused with InvalidAccessKeyId.NotFound', async () => {
    await assertRefused(verify(a1(), { lookup: () => Promise.resolve(undefined) }), 'UnknownAccessKey');
  });

  void it('a Credential naming another access key id is refused with InvalidAccessKeyId.NotFound', async () => {
    await assertRefused(verify(withAuthorizationReplaced(a1(), /Credential=testid/, 'Credential=otherid')), 'UnknownAccessKey');
  });

  void it('an x-acs-date that is not yyyy-MM-ddTHH:mm:ssZ is refused with IllegalTimestamp', async () => {
    const request = withHeader(a1(), 'x-acs-date', 'Sat, 28 Nov 2026 14:45:25 GMT');
    await assertRefused(verify(request, { nowMs: timestampMsOf(a1()) }), 'MalformedTimestamp');
  });

  void it('an Authorization header wins over a Signature query parameter, which is then just signed data', async () => {
    const request = a1();
    const withSignatureParam = { ...request, query: [...request.query, ['Signature', 'x'] as const] };
    await verify(resigned(withSignatureParam, signedHeadersOf(request)));
  });
});

void describe('ACS3-HMAC-SHA256: canonical headers', () => {
  void it('a repeated header contributes its trimmed values sorted and joined with commas', () => {
    const request = withHeader(a1(), 'x-acs-extra', [' b ', 'a']);
    const canonical = canonicalRequest(request, ['host', 'x-acs-extra'], sha256Hex(request.body));
    assert.match(canonical, /\nhost:127\.0\.0\.1:43055\nx-acs-extra:a,b\n\nhost;x-acs-extra\n/);
  });

  void it('a request with a signed content-type and a form body verifies', async () => {
    const body = Buffer.from('KeyId=alias%2Fx&Plaintext=aGVsbG8%3D');
    const request = withHeader(
      withHeader({ ...a1(), query: [], body }, 'content-type', 'application/x-www-form-urlencoded'),
      'x-acs-content-sha256',
      sha256Hex(body),
    );
    await verify(resigned(request, ['content-type', ...signedHeadersOf(a1())]));
  });
});
