import assert from 'node:assert/strict';
import { createHash, createHmac, getHashes } from 'node:crypto';
import { describe, it } from 'node:test';

import { acs3HmacAlgorithmNamed, acs3PayloadHash, acs3StringToSign, canonicalRequest } from '../../../src/api/signature/acs3-hmac.js';
import type { SignedRequest } from '../../../src/api/signature/signed-request.js';
import { captureById, loadCaptures, TEST_ACCESS_KEY_ID, TEST_SECRET, toSignedRequest, withHeader } from './captures.js';
import {
  assertRefused,
  itChecksTheClockWindowAndTheNonce,
  itRefusesAlteredQueriesAndOtherSecrets,
  itVerifiesEachCapture,
  verify,
} from './helpers.js';

const SM3_FIXTURE = 'alibaba-sdk-sm3-captures.txt';

// Computed here with node:crypto directly, not with the code under test.
function sm3Hex(bytes: Buffer | string): string {
  return createHash('sm3').update(bytes).digest('hex');
}

function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function signedHeadersOf(request: SignedRequest): string[] {
  const match = /SignedHeaders=([^,]+)/.exec(String(request.headers.authorization));
  return (match?.[1] ?? '').split(';');
}

function signatureOf(request: SignedRequest): string {
  return /Signature=([0-9a-f]+)/.exec(String(request.headers.authorization))?.[1] ?? '';
}

/**
 * Signs `request` again as the SDK does (openapi-util `getAuthorization`): the canonical request
 * carries `payloadHash`, which an SDK takes from its own `x-acs-content-sha256`.
 */
function resigned(
  request: SignedRequest,
  options: { payloadHash?: string; secret?: string; signedHeaders?: readonly string[] } = {},
): SignedRequest {
  const signedHeaders = options.signedHeaders ?? signedHeadersOf(request);
  const canonical = canonicalRequest(request, signedHeaders, options.payloadHash ?? sm3Hex(request.body));
  const stringToSign = `ACS3-HMAC-SM3\n${sm3Hex(canonical)}`;
  const signature = createHmac('sm3', options.secret ?? TEST_SECRET)
    .update(stringToSign)
    .digest('hex');
  return withHeader(
    request,
    'authorization',
    `ACS3-HMAC-SM3 Credential=${TEST_ACCESS_KEY_ID},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`,
  );
}

function withAuthorizationReplaced(request: SignedRequest, from: RegExp, to: string): SignedRequest {
  return withHeader(request, 'authorization', String(request.headers.authorization).replace(from, to));
}

function flippedHexDigit(hex: string, index: number): string {
  const digit = hex[index] ?? '0';
  return `${hex.slice(0, index)}${digit === '0' ? '1' : '0'}${hex.slice(index + 1)}`;
}

const sm3Captures = loadCaptures(SM3_FIXTURE);

/** S1: Encrypt through openapi-core, KeyId and Plaintext in the query, empty body. */
function s1(): SignedRequest {
  return toSignedRequest(captureById('S1', SM3_FIXTURE));
}

/** S5: Encrypt through openapi-client, the parameters in a signed form body. */
function s5(): SignedRequest {
  return toSignedRequest(captureById('S5', SM3_FIXTURE));
}

void describe('ACS3-HMAC-SM3: the digest', () => {
  void it('SM3 gives the GB/T 32905-2016 example digests ("abc" and "abcd" × 16)', () => {
    assert.equal(acs3PayloadHash('ACS3-HMAC-SM3', Buffer.from('abc')), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    assert.equal(
      acs3PayloadHash('ACS3-HMAC-SM3', Buffer.from('abcd'.repeat(16))),
      'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
    );
  });

  void it('the algorithm is known by its exact name, and only where OpenSSL offers SM3', () => {
    assert.equal(acs3HmacAlgorithmNamed('ACS3-HMAC-SM3'), getHashes().includes('sm3') ? 'ACS3-HMAC-SM3' : undefined);
    assert.equal(acs3HmacAlgorithmNamed('ACS3-HMAC-SM3', new Set(['sha256'])), undefined);
    assert.equal(acs3HmacAlgorithmNamed('ACS3-HMAC-SHA256', new Set(['sha256'])), 'ACS3-HMAC-SHA256');
    for (const name of ['ACS3-HMAC-sm3', 'ACS4-HMAC-SM3', 'ACS3-RSA-SHA256', 'toString', '__proto__']) {
      assert.equal(acs3HmacAlgorithmNamed(name), undefined, name);
    }
  });
});

void describe('ACS3-HMAC-SM3: real SDK captures', () => {
  void it('the fixture holds S1–S6, all signed ACS3-HMAC-SM3 by openapi-core 1.0.8 or openapi-client 0.4.15', () => {
    assert.deepEqual(
      sm3Captures.map((capture) => capture.id),
      ['S1', 'S2', 'S3', 'S4', 'S5', 'S6'],
    );
    for (const capture of sm3Captures) {
      assert.match(String(capture.headers.authorization), /^ACS3-HMAC-SM3 Credential=testid,/);
      assert.match(capture.title, /openapi-(core 1\.0\.8|client 0\.4\.15)/);
    }
  });

  itVerifiesEachCapture(sm3Captures, 'ACS3-HMAC-SM3', (request) => request.headers['x-acs-signature-nonce']);

  for (const capture of sm3Captures) {
    void it(`${capture.id}: the body hash, canonical request and string to sign equal the recomputed ones`, () => {
      const request = toSignedRequest(capture);
      const bodyHash = acs3PayloadHash('ACS3-HMAC-SM3', request.body);
      assert.equal(bodyHash, request.headers['x-acs-content-sha256']);
      const canonical = canonicalRequest(request, signedHeadersOf(request), bodyHash);
      assert.equal(canonical, capture.canonicalRequest);
      assert.equal(acs3StringToSign('ACS3-HMAC-SM3', canonical), capture.stringToSign);
    });
  }

  void it('S1: the empty body hashes to SM3 of nothing, sent in x-acs-content-sha256', () => {
    assert.equal(s1().headers['x-acs-content-sha256'], '1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b');
  });

  void it('signing S1 again with SM3 over its own signed headers reproduces the SDK signature', () => {
    const request = s1();
    assert.equal(resigned(request).headers.authorization, request.headers.authorization);
  });

  void it('S5: a signed form body and its signed content-type verify', async () => {
    const request = s5();
    assert.ok(request.body.length > 0);
    assert.ok(signedHeadersOf(request).includes('content-type'));
    await verify(request);
  });
});

void describe('ACS3-HMAC-SM3: tampering is refused with SignatureDoesNotMatch', () => {
  itRefusesAlteredQueriesAndOtherSecrets(s1);

  for (const index of [0, 31, 63]) {
    void it(`the SDK signature with hex digit ${index} flipped`, async () => {
      const request = s1();
      const signature = signatureOf(request);
      const flipped = withAuthorizationReplaced(request, /Signature=[0-9a-f]+/, `Signature=${flippedHexDigit(signature, index)}`);
      await assertRefused(verify(flipped), 'SignatureMismatch');
    });
  }

  void it('a signature made with another secret', async () => {
    await assertRefused(verify(resigned(s1(), { secret: 'othersecret' })), 'SignatureMismatch');
  });

  void it('a form body changed after signing', async () => {
    const request = s5();
    await assertRefused(
      verify({ ...request, body: Buffer.from(request.body.toString('utf8').replace('alias%2Fx', 'alias%2Fy')) }),
      'SignatureMismatch',
    );
  });

  void it('a form body with one byte flipped after signing', async () => {
    const body = Buffer.from(s5().body);
    body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 0x01;
    await assertRefused(verify({ ...s5(), body }), 'SignatureMismatch');
  });

  void it('a form body changed after signing, with x-acs-content-sha256 updated to its SM3', async () => {
    const body = Buffer.from('KeyId=alias%2Fy&Plaintext=aGVsbG8%3D');
    await assertRefused(verify(withHeader({ ...s5(), body }, 'x-acs-content-sha256', sm3Hex(body))), 'SignatureMismatch');
  });

  void it('the SHA-256 body hash in x-acs-content-sha256 where ACS3-HMAC-SM3 was declared, signed over it with HMAC-SM3', async () => {
    for (const signed of [s1(), s5()]) {
      const request = withHeader(signed, 'x-acs-content-sha256', sha256Hex(signed.body));
      await assertRefused(verify(resigned(request, { payloadHash: sha256Hex(signed.body) })), 'SignatureMismatch');
    }
  });

  void it('an SM3-signed request relabelled ACS3-HMAC-SHA256', async () => {
    await assertRefused(verify(withAuthorizationReplaced(s1(), /^ACS3-HMAC-SM3/, 'ACS3-HMAC-SHA256')), 'SignatureMismatch');
  });

  void it('a SHA-256-signed SDK request (capture A1) relabelled ACS3-HMAC-SM3', async () => {
    const a1 = toSignedRequest(captureById('A1'));
    await assertRefused(verify(withAuthorizationReplaced(a1, /^ACS3-HMAC-SHA256/, 'ACS3-HMAC-SM3')), 'SignatureMismatch');
  });
});

void describe('ACS3-HMAC-SM3: under-signed requests are refused with IncompleteSignature, as under SHA-256', () => {
  void it('x-acs-content-sha256 not in SignedHeaders, even with a signature that is correct over the rest', async () => {
    const reduced = signedHeadersOf(s1()).filter((name) => name !== 'x-acs-content-sha256');
    await assertRefused(verify(resigned(s1(), { signedHeaders: reduced })), 'IncompleteSignature', 'must include x-acs-content-sha256');
  });

  void it('the body hash sent as x-acs-content-sm3 instead of x-acs-content-sha256 (no SDK does so under ACS3)', async () => {
    const request = withHeader(withHeader(s1(), 'x-acs-content-sha256', undefined), 'x-acs-content-sm3', sm3Hex(Buffer.alloc(0)));
    const signedHeaders = signedHeadersOf(s1()).map((name) => (name === 'x-acs-content-sha256' ? 'x-acs-content-sm3' : name));
    await assertRefused(verify(resigned(request, { signedHeaders })), 'IncompleteSignature', 'must include x-acs-content-sha256');
  });

  void it('a content-type left unsigned on a request with a body', async () => {
    const reduced = signedHeadersOf(s5()).filter((name) => name !== 'content-type');
    await assertRefused(verify(resigned(s5(), { signedHeaders: reduced })), 'IncompleteSignature', 'must include content-type');
  });
});

void describe('ACS3-HMAC-SM3: timestamp and nonce', () => {
  itChecksTheClockWindowAndTheNonce(s1, (request) => withHeader(request, 'host', 'evil.example:1'));
});
