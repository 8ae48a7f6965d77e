import { createHash, createHmac } from 'node:crypto';
import { KmsError } from '../domain/errors.js';
import { signaturesEqual } from '../api/signature/constant-time.js';
import { headerValues, singleHeader, type SignedRequest } from '../api/signature/signed-request.js';
import { MAX_CLOCK_SKEW_MS } from '../api/signature/timestamp.js';
import type { NonceRecorder, SecretLookup } from '../api/signature/verify-request.js';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** The signing name of AWS KMS; a request scoped to any other service is not for this API. */
export const SIGV4_SERVICE = 'kms';
const SCOPE_TERMINATOR = 'aws4_request';
/**
 * Headers a signature must cover: without them a request could be moved to another host or
 * time, or, for `x-amz-target`, made to run another operation (the SDKs sign all three).
 */
const REQUIRED_SIGNED_HEADERS = ['host', 'x-amz-date', 'x-amz-target'] as const;
/** The replay guard's nonce for a SigV4 request: its signature, under a prefix of its own. */
const NONCE_PREFIX = 'sigv4:';

/** What the Authorization header claims, before anything is trusted. */
export interface SigV4Claim {
  readonly accessKeyId: string;
  /** `yyyymmdd` of the credential scope. */
  readonly scopeDate: string;
  /** The region the client signed for; any region is accepted. */
  readonly region: string;
  readonly service: string;
  /** Lower-case, in the order the header lists them. */
  readonly signedHeaders: readonly string[];
  /** 64 lower-case hex digits. */
  readonly signature: string;
}

export interface SigV4Caller {
  readonly accessKeyId: string;
  readonly region: string;
  readonly timestampMs: number;
}

// AWS4-HMAC-SHA256 Credential=AKID/20261128/us-east-1/kms/aws4_request, SignedHeaders=a;b;c, Signature=<hex>
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/([a-z0-9_]+), ?SignedHeaders=([a-z0-9;_-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Reads the Authorization header; anything but a well-formed SigV4 claim is `IncompleteSignature`. */
export function parseSigV4Authorization(request: SignedRequest): SigV4Claim {
  const header = singleHeader(request, 'authorization');
  if (header === undefined) throw new KmsError('IncompleteSignature', 'The request is not signed.');
  const match = AUTHORIZATION.exec(header.trim());
  if (match === null) throw new KmsError('IncompleteSignature', 'The Authorization header is not an AWS4-HMAC-SHA256 signature.');
  const [, accessKeyId = '', scopeDate = '', region = '', service = '', terminator = '', headerList = '', signature = ''] = match;
  if (service !== SIGV4_SERVICE || terminator !== SCOPE_TERMINATOR) {
    throw new KmsError('IncompleteSignature', `The credential scope must end in ${SIGV4_SERVICE}/${SCOPE_TERMINATOR}.`);
  }
  const signedHeaders = headerList.split(';');
  for (const required of REQUIRED_SIGNED_HEADERS) {
    if (!signedHeaders.includes(required)) throw new KmsError('IncompleteSignature', `The signature must cover the ${required} header.`);
  }
  return { accessKeyId, scopeDate, region, service, signedHeaders, signature };
}

/**
 * Verifies a request signed with Signature Version 4 as `@aws-sdk/client-kms` signs it, and names
 * its caller. The checks run in the order of the Alibaba verifier, each refusal from the catalog:
 * shape (`IncompleteSignature`), access key (`UnknownAccessKey`), `x-amz-date` (`MalformedTimestamp`,
 * then `RequestExpired` beyond 15 minutes either way), the body's hash and the signature
 * (`SignatureMismatch`), and last the replay guard, which remembers the signature for as long as
 * the request could be replayed (`NonceReused`). The SDK signs a fresh `amz-sdk-invocation-id` on
 * every call and a new `amz-sdk-request` on every retry, so no two of its requests share one.
 */
export async function verifySigV4(
  request: SignedRequest,
  lookupSecret: SecretLookup,
  nowMs: number,
  replayGuard: NonceRecorder,
): Promise<SigV4Caller> {
  const claim = parseSigV4Authorization(request);
  const secret = await lookupSecret(claim.accessKeyId);
  if (secret === undefined) throw new KmsError('UnknownAccessKey');
  const amzDate = singleHeader(request, 'x-amz-date') ?? '';
  const timestampMs = parseAmzDate(amzDate);
  if (timestampMs === undefined) throw new KmsError('MalformedTimestamp');
  if (Math.abs(timestampMs - nowMs) > MAX_CLOCK_SKEW_MS) throw new KmsError('RequestExpired');
  if (amzDate.slice(0, 8) !== claim.scopeDate) throw new KmsError('SignatureMismatch');
  const payloadHash = sha256Hex(request.body);
  // The JS SDK sends the body's hash too; one that disagrees with the body is a tampered request.
  const claimedHash = singleHeader(request, 'x-amz-content-sha256');
  if (claimedHash !== undefined && claimedHash !== payloadHash) throw new KmsError('SignatureMismatch');
  const expected = sigV4Signature(secret, claim, amzDate, canonicalRequest(request, claim.signedHeaders, payloadHash));
  if (!signaturesEqual(expected, claim.signature)) throw new KmsError('SignatureMismatch');
  await replayGuard.recordNonce(claim.accessKeyId, NONCE_PREFIX + claim.signature, timestampMs, nowMs);
  return { accessKeyId: claim.accessKeyId, region: claim.region, timestampMs };
}

/** `YYYYMMDDTHHMMSSZ` as milliseconds since the epoch, or undefined when it names no real instant. */
export function parseAmzDate(text: string): number | undefined {
  const match = AMZ_DATE.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(epochMs);
  const survives =
    back.getUTCFullYear() === year &&
    back.getUTCMonth() === month - 1 &&
    back.getUTCDate() === day &&
    back.getUTCHours() === hour &&
    back.getUTCMinutes() === minute &&
    back.getUTCSeconds() === second;
  return survives ? epochMs : undefined;
}

/**
 * The canonical request: method, canonical URI, canonical query, the signed headers as
 * `name:value\n` each, the signed header list, and the payload hash, joined by newlines.
 */
export function canonicalRequest(request: SignedRequest, signedHeaders: readonly string[], payloadHash: string): string {
  return [
    request.method,
    canonicalUri(request.path),
    canonicalQuery(request.query),
    signedHeaders.map((name) => `${name}:${canonicalHeaderValue(request, name)}\n`).join(''),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

/**
 * The path as received, its `.`, `..` and empty segments removed, then URI-encoded once more:
 * every service but S3 signs the path encoded twice (`/a%20b/` is signed as `/a%2520b/`).
 */
export function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalised = `/${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return uriEscape(normalised).replace(/%2F/g, '/');
}

function canonicalQuery(query: ReadonlyArray<readonly [string, string]>): string {
  return query
    .map(([name, value]) => [uriEscape(name), uriEscape(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** All values of the header joined by `,`, each trimmed, runs of white space made one space. */
function canonicalHeaderValue(request: SignedRequest, name: string): string {
  return headerValues(request, name)
    .map((value) => value.trim().replace(/\s+/g, ' '))
    .join(',');
}

/** RFC 3986 encoding: everything but unreserved characters, as the SDK's escapeUri does. */
function uriEscape(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sigV4Signature(secret: string, claim: SigV4Claim, amzDate: string, canonical: string): string {
  const scope = `${claim.scopeDate}/${claim.region}/${claim.service}/${SCOPE_TERMINATOR}`;
  const stringToSign = [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(Buffer.from(canonical, 'utf8'))].join('\n');
  const dateKey = hmac(Buffer.from(`AWS4${secret}`, 'utf8'), claim.scopeDate);
  const signingKey = hmac(hmac(hmac(dateKey, claim.region), claim.service), SCOPE_TERMINATOR);
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
