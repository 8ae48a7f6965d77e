// What the signature scheme tests share: verifying a request against the test credentials,
// asserting that a verification is refused with a given KmsError, and the tests that do not
// depend on the scheme (each capture verifies; query tampering; the clock window; the nonce).
import assert from 'node:assert/strict';
import { it } from 'node:test';

import { alibabaErrorOf } from '../../../src/api/alibaba-errors.js';
import { ReplayGuard } from '../../../src/api/signature/replay-guard.js';
import type { SignatureScheme, SignedRequest } from '../../../src/api/signature/signed-request.js';
import { verifyRequest, type SecretLookup } from '../../../src/api/signature/verify-request.js';
import { KmsError, type ErrorKind } from '../../../src/domain/errors.js';
import { type Capture, TEST_ACCESS_KEY_ID, TEST_SECRET, timestampMsOf, toSignedRequest, withQueryValue } from './captures.js';

export const MINUTE_MS = 60_000;

/** Knows one access key: testid, whose secret is testsecret. */
export const testSecrets: SecretLookup = (accessKeyId) => Promise.resolve(accessKeyId === TEST_ACCESS_KEY_ID ? TEST_SECRET : undefined);

export interface VerifyOptions {
  readonly nowMs?: number;
  readonly guard?: ReplayGuard;
  readonly lookup?: SecretLookup;
}

/** `verifyRequest` with, unless given, `testSecrets`, the request's own timestamp as now and a fresh guard. */
export function verify(request: SignedRequest, options: VerifyOptions = {}) {
  return verifyRequest(request, options.lookup ?? testSecrets, options.nowMs ?? timestampMsOf(request), options.guard ?? new ReplayGuard());
}

export async function assertRefused(promise: Promise<unknown>, errorName: ErrorKind, messagePart?: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof KmsError, `expected a KmsError, got ${String(error)}`);
    assert.equal(error.kind, errorName, error.message);
    // The message as the Alibaba wire carries it (it names the parameter concerned, in quotes).
    if (messagePart !== undefined) assert.match(alibabaErrorOf(error).message, new RegExp(messagePart));
    return true;
  });
}

/**
 * Registers one test per capture: it verifies with secret testsecret at its own timestamp, and
 * names its caller, with the nonce `nonceOf` reads from the request.
 */
export function itVerifiesEachCapture(
  captures: readonly Capture[],
  scheme: SignatureScheme,
  nonceOf: (request: SignedRequest) => unknown,
): void {
  for (const capture of captures) {
    void it(`${capture.id} (${capture.title}) verifies with secret testsecret at its own timestamp`, async () => {
      const request = toSignedRequest(capture);
      const caller = await verify(request);
      assert.deepEqual(caller, {
        accessKeyId: TEST_ACCESS_KEY_ID,
        nonce: nonceOf(request),
        timestampMs: timestampMsOf(request),
        scheme,
      });
    });
  }
}

/**
 * Registers the tampering tests that hold for either scheme, on `signed()`, a fresh request whose
 * query carries a KeyId and is covered by its signature.
 */
export function itRefusesAlteredQueriesAndOtherSecrets(signed: () => SignedRequest): void {
  void it('an altered query value', async () => {
    await assertRefused(verify(withQueryValue(signed(), 'KeyId', 'alias/y')), 'SignatureMismatch');
  });

  void it('an added query parameter', async () => {
    const request = signed();
    await assertRefused(verify({ ...request, query: [...request.query, ['DryRun', 'true']] }), 'SignatureMismatch');
  });

  void it('a secret lookup that returns a different secret for testid', async () => {
    await assertRefused(verify(signed(), { lookup: () => Promise.resolve('othersecret') }), 'SignatureMismatch');
  });
}

/**
 * Registers the clock window and nonce tests that hold for either scheme: `signed()` gives a
 * fresh correctly signed request, `forged(request)` a copy whose signature no longer matches.
 */
export function itChecksTheClockWindowAndTheNonce(signed: () => SignedRequest, forged: (request: SignedRequest) => SignedRequest): void {
  void it('a request timestamp 16 minutes before now is refused with InvalidTimeStamp.Expired', async () => {
    const request = signed();
    await assertRefused(verify(request, { nowMs: timestampMsOf(request) + 16 * MINUTE_MS }), 'RequestExpired');
  });

  void it('a request timestamp 16 minutes after now is refused with InvalidTimeStamp.Expired', async () => {
    const request = signed();
    await assertRefused(verify(request, { nowMs: timestampMsOf(request) - 16 * MINUTE_MS }), 'RequestExpired');
  });

  for (const offsetMinutes of [-15, -14, 14, 15]) {
    void it(`a request timestamp ${Math.abs(offsetMinutes)} minutes ${offsetMinutes < 0 ? 'after' : 'before'} now is accepted`, async () => {
      const request = signed();
      await verify(request, { nowMs: timestampMsOf(request) + offsetMinutes * MINUTE_MS });
    });
  }

  void it('a reused nonce: the first use is accepted, the second refused with SignatureNonceUsed', async () => {
    const guard = new ReplayGuard();
    await verify(signed(), { guard });
    await assertRefused(verify(signed(), { guard }), 'NonceReused');
  });

  void it('a request with a bad signature does not use up its nonce', async () => {
    const guard = new ReplayGuard();
    await assertRefused(verify(forged(signed()), { guard }), 'SignatureMismatch');
    await verify(signed(), { guard });
  });

  void it('a request with an expired timestamp does not use up its nonce', async () => {
    const guard = new ReplayGuard();
    const request = signed();
    await assertRefused(verify(request, { guard, nowMs: timestampMsOf(request) + 16 * MINUTE_MS }), 'RequestExpired');
    await verify(request, { guard });
  });
}
