import { KmsError } from '../../domain/errors.js';
import { hasAcsAuthorization, parseAcs3Hmac } from './acs3-hmac.js';
import { looksLikeHmacSha1V1, parseHmacSha1V1 } from './hmac-sha1-v1.js';
import type { SignatureClaim, SignedRequest, VerifiedCaller } from './signed-request.js';
import { MAX_CLOCK_SKEW_MS, parseRequestTimestamp } from './timestamp.js';

/**
 * Where verified nonces are recorded: the in-process `ReplayGuard`, or, in a worker of
 * `arca server --workers N`, the primary's guard over IPC (one guard for all workers, so a request
 * replayed to another worker is refused too). Throws the guard's refusals as `KmsError`s.
 */
export interface NonceRecorder {
  recordNonce(accessKeyId: string, nonce: string, timestampMs: number, nowMs: number): void | Promise<void>;
}

/** The secret of an access key id, or `undefined` when no such key exists. */
export type SecretLookup = (accessKeyId: string) => Promise<string | undefined>;

/**
 * Verifies a signed request and names its caller. The schemes the SDKs use are accepted: ACS3-
 * HMAC-SHA256 and ACS3-HMAC-SM3 (an `Authorization: ACS3-…` header) and signature 1.0 HMAC-SHA1
 * (`Signature` among the query or form parameters). The checks run in this order, each refusal
 * from the catalog:
 *
 * 1. shape: unsigned, malformed or unsupported → `IncompleteSignature`; a common parameter
 *    absent → `MissingParameter` naming it;
 * 2. access key: unknown → `InvalidAccessKeyId.NotFound`;
 * 3. timestamp: not `yyyy-MM-ddTHH:mm:ssZ` → `IllegalTimestamp`; more than 15 minutes from
 *    `nowMs` either way → `InvalidTimeStamp.Expired`;
 * 4. signature: the request is canonicalised (its parameters encoded and sorted, its body hashed)
 *    only now, so a request nobody could have signed costs no more than reading its claim;
 *    mismatch → `SignatureDoesNotMatch`;
 * 5. nonce: recorded with `replayGuard` only now, so a caller without the secret cannot use up
 *    nonces → `SignatureNonceUsed` when reused (or the guard's own refusals).
 */
export async function verifyRequest(
  req: SignedRequest,
  lookupSecret: SecretLookup,
  nowMs: number,
  replayGuard: NonceRecorder,
): Promise<VerifiedCaller> {
  const claim = parseClaim(req);
  const secret = await lookupSecret(claim.accessKeyId);
  if (secret === undefined) throw new KmsError('UnknownAccessKey');
  const timestampMs = timestampWithinSkew(claim.timestampText, nowMs);
  if (!claim.isSignedWith(secret)) throw new KmsError('SignatureMismatch');
  await replayGuard.recordNonce(claim.accessKeyId, claim.nonce, timestampMs, nowMs);
  return { accessKeyId: claim.accessKeyId, nonce: claim.nonce, timestampMs, scheme: claim.scheme };
}

/**
 * Whether the request's headers are under its signature: true for the ACS schemes (which sign the
 * `x-acs-*` headers they carry), false for signature 1.0, which signs its parameters alone. The
 * front end reads an action or version from a header only when this holds.
 */
export function headersAreSigned(req: SignedRequest): boolean {
  return hasAcsAuthorization(req);
}

// An ACS Authorization header wins over a `Signature` parameter: under ACS3 such a parameter is
// merely part of the signed query.
function parseClaim(req: SignedRequest): SignatureClaim {
  if (headersAreSigned(req)) return parseAcs3Hmac(req);
  if (looksLikeHmacSha1V1(req)) return parseHmacSha1V1(req);
  throw new KmsError('IncompleteSignature', 'The request is not signed.');
}

function timestampWithinSkew(timestampText: string, nowMs: number): number {
  const timestampMs = parseRequestTimestamp(timestampText);
  if (timestampMs === undefined) throw new KmsError('MalformedTimestamp');
  if (Math.abs(timestampMs - nowMs) > MAX_CLOCK_SKEW_MS) throw new KmsError('RequestExpired');
  return timestampMs;
}
