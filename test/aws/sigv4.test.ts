// The SigV4 verifier against requests the real @aws-sdk/client-kms signed (test/fixtures/
// aws-sdk-captures.json, with its source note): every capture verifies from its raw bytes, and
// changing a signed header, the body, the date or the region is refused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { ReplayGuard } from '../../src/api/signature/replay-guard.js';
import type { SignedRequest } from '../../src/api/signature/signed-request.js';
import { canonicalUri, parseAmzDate, verifySigV4 } from '../../src/aws/sigv4.js';
import { KmsError, type ErrorKind } from '../../src/domain/errors.js';

interface Capture {
  readonly method: string;
  readonly url: string;
  readonly headers: Array<[string, string]>;
  readonly body: string;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/aws-sdk-captures.json', import.meta.url), 'utf8')) as {
  accessKeyId: string;
  secretAccessKey: string;
  captures: Capture[];
};

function requestOf(capture: Capture, change: (headers: Record<string, string>) => void = () => {}): SignedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of capture.headers) headers[name.toLowerCase()] = value;
  change(headers);
  return { method: capture.method, path: capture.url, query: [], formParams: [], body: Buffer.from(capture.body, 'utf8'), headers };
}

function signedAt(capture: Capture): number {
  const amzDate = capture.headers.find(([name]) => name === 'x-amz-date')?.[1] ?? '';
  const ms = parseAmzDate(amzDate);
  assert.ok(ms !== undefined);
  return ms;
}

const lookup = (accessKeyId: string): Promise<string | undefined> =>
  Promise.resolve(accessKeyId === fixture.accessKeyId ? fixture.secretAccessKey : undefined);

async function assertRefused(request: SignedRequest, nowMs: number, kind: ErrorKind, guard = new ReplayGuard()): Promise<void> {
  await assert.rejects(verifySigV4(request, lookup, nowMs, guard), (error: unknown) => {
    assert.ok(error instanceof KmsError, String(error));
    assert.equal(error.kind, kind, error.message);
    return true;
  });
}

const MINUTE_MS = 60_000;
const first = fixture.captures[0] as Capture;

describe('SigV4 as @aws-sdk/client-kms signs', () => {
  it('has captures from three regions, one with a session token', () => {
    const regions = new Set(
      fixture.captures.map((c) => /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(requestOf(c).headers.authorization as string)?.[1]),
    );
    assert.deepEqual([...regions].sort(), ['ap-southeast-1', 'eu-central-1', 'us-east-1']);
    assert.ok(fixture.captures.some((c) => c.headers.some(([name]) => name === 'x-amz-security-token')));
  });

  for (const [index, capture] of fixture.captures.entries()) {
    const target = capture.headers.find(([name]) => name === 'x-amz-target')?.[1];
    it(`verifies capture ${index} (${target}) from its raw bytes, in its region`, async () => {
      const caller = await verifySigV4(requestOf(capture), lookup, signedAt(capture), new ReplayGuard());
      assert.equal(caller.accessKeyId, fixture.accessKeyId);
      assert.match(caller.region, /^(us-east-1|eu-central-1|ap-southeast-1)$/);
    });
  }

  it('refuses a request whose signed header was altered (x-amz-target)', async () => {
    await assertRefused(
      requestOf(first, (h) => (h['x-amz-target'] = 'TrentService.ScheduleKeyDeletion')),
      signedAt(first),
      'SignatureMismatch',
    );
  });

  it('refuses a request whose host was altered', async () => {
    await assertRefused(
      requestOf(first, (h) => (h.host = 'attacker.example:443')),
      signedAt(first),
      'SignatureMismatch',
    );
  });

  it('refuses a body that is not the one signed, even with a matching x-amz-content-sha256 removed', async () => {
    const encrypt = fixture.captures.find((c) => c.headers.some(([, v]) => v === 'TrentService.Encrypt')) as Capture;
    const tampered = { ...encrypt, body: encrypt.body.replace('capture', 'kapture') };
    await assertRefused(requestOf(tampered), signedAt(encrypt), 'SignatureMismatch');
    await assertRefused(
      requestOf(tampered, (h) => delete h['x-amz-content-sha256']),
      signedAt(encrypt),
      'SignatureMismatch',
    );
  });

  it('refuses an x-amz-date moved by a second (the signature covers it)', async () => {
    const moved = (h: Record<string, string>) =>
      (h['x-amz-date'] = (h['x-amz-date'] ?? '').replace(/(\d)Z$/, (_, d: string) => `${(Number(d) + 1) % 10}Z`));
    await assertRefused(requestOf(first, moved), signedAt(first), 'SignatureMismatch');
  });

  it('refuses the region changed in the credential scope', async () => {
    const otherRegion = (h: Record<string, string>) => (h.authorization = (h.authorization ?? '').replace('/us-east-1/', '/us-west-2/'));
    await assertRefused(requestOf(first, otherRegion), signedAt(first), 'SignatureMismatch');
  });

  it('refuses a scope for another service', async () => {
    const s3 = (h: Record<string, string>) => (h.authorization = (h.authorization ?? '').replace('/kms/', '/s3/'));
    await assertRefused(requestOf(first, s3), signedAt(first), 'IncompleteSignature');
  });

  it('accepts 15 minutes either way and refuses beyond (RequestExpired)', async () => {
    const at = signedAt(first);
    await verifySigV4(requestOf(first), lookup, at + 15 * MINUTE_MS, new ReplayGuard());
    await verifySigV4(requestOf(first), lookup, at - 15 * MINUTE_MS, new ReplayGuard());
    await assertRefused(requestOf(first), at + 15 * MINUTE_MS + 1000, 'RequestExpired');
    await assertRefused(requestOf(first), at - 15 * MINUTE_MS - 1000, 'RequestExpired');
  });

  it('refuses the same signed request a second time (replay)', async () => {
    const guard = new ReplayGuard();
    await verifySigV4(requestOf(first), lookup, signedAt(first), guard);
    await assertRefused(requestOf(first), signedAt(first), 'NonceReused', guard);
  });

  it('refuses an unknown access key before looking at the signature', async () => {
    const other = (h: Record<string, string>) => (h.authorization = (h.authorization ?? '').replace(fixture.accessKeyId, 'AKIDUNKNOWN'));
    await assertRefused(requestOf(first, other), signedAt(first), 'UnknownAccessKey');
  });

  it('refuses a wrong secret', async () => {
    await assert.rejects(
      verifySigV4(requestOf(first), () => Promise.resolve('not-the-secret'), signedAt(first), new ReplayGuard()),
      (error: unknown) => error instanceof KmsError && error.kind === 'SignatureMismatch',
    );
  });

  it('refuses unsigned, malformed, host-less and target-less signatures as IncompleteSignature', async () => {
    await assertRefused(
      requestOf(first, (h) => delete h.authorization),
      signedAt(first),
      'IncompleteSignature',
    );
    await assertRefused(
      requestOf(first, (h) => (h.authorization = 'AWS4-HMAC-SHA256 Credential=x')),
      signedAt(first),
      'IncompleteSignature',
    );
    const noHost = (h: Record<string, string>) => (h.authorization = (h.authorization ?? '').replace(';host;', ';'));
    await assertRefused(requestOf(first, noHost), signedAt(first), 'IncompleteSignature');
    // The operation must be under the signature too, or a captured request could run another one.
    const noTarget = (h: Record<string, string>) => (h.authorization = (h.authorization ?? '').replace(';x-amz-target;', ';'));
    await assertRefused(requestOf(first, noTarget), signedAt(first), 'IncompleteSignature');
  });

  it('refuses an x-amz-date that names no instant', async () => {
    await assertRefused(
      requestOf(first, (h) => (h['x-amz-date'] = '20261332T250000Z')),
      signedAt(first),
      'MalformedTimestamp',
    );
  });

  it('encodes the path twice, as every service but S3 signs it', () => {
    assert.equal(canonicalUri('/'), '/');
    assert.equal(canonicalUri('/a%20b/k:ms/'), '/a%2520b/k%3Ams/');
    assert.equal(canonicalUri('/a/./b/../c'), '/a/c');
  });
});
