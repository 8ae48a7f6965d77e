import { createHash, createHmac, randomBytes } from 'node:crypto';

// The client side of ACS3-HMAC-SHA256, as the current Alibaba SDKs sign: every parameter in the
// query, an empty POST body, and the headers host, x-acs-action, x-acs-version, x-acs-date,
// x-acs-signature-nonce and x-acs-content-sha256 signed.
//
//   CanonicalRequest = POST \n / \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n SHA256(body)
//   StringToSign     = "ACS3-HMAC-SHA256" \n hex(SHA-256(CanonicalRequest))
//   Signature        = hex(HMAC-SHA256(AccessKeySecret, StringToSign))

export const API_VERSION = '2016-01-20';
const ALGORITHM = 'ACS3-HMAC-SHA256';
const EMPTY_BODY_SHA256 = createHash('sha256').update('').digest('hex');

export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

export interface SignedCall {
  /** Request target: `/` and the encoded query. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** RFC 3986 percent-encoding, as both Alibaba schemes use it: `encodeURIComponent` plus `! ' ( ) *`. */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (mark) => `%${mark.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `yyyy-MM-ddTHH:mm:ssZ`. */
function acsDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Signs one RPC call. `host` is exactly what the Host header will carry (`host:port`). The
 * nonce is 128 random bits, so a retried call is a new request to the replay guard.
 */
export function signCall(
  credentials: Credentials,
  host: string,
  action: string,
  params: ReadonlyArray<readonly [string, string]>,
  nowMs: number = Date.now(),
  version: string = API_VERSION,
): SignedCall {
  const encoded = params.map(([name, value]) => [percentEncode(name), percentEncode(value)] as const);
  const canonicalQuery = [...encoded]
    .sort(([nameA, valueA], [nameB, valueB]) => compare(nameA, nameB) || compare(valueA, valueB))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const signed: Array<readonly [string, string]> = [
    ['host', host],
    ['x-acs-action', action],
    ['x-acs-content-sha256', EMPTY_BODY_SHA256],
    ['x-acs-date', acsDate(nowMs)],
    ['x-acs-signature-nonce', randomBytes(16).toString('hex')],
    ['x-acs-version', version],
  ];
  const signedHeaderNames = signed.map(([name]) => name).join(';');
  const canonicalRequest = [
    'POST',
    '/',
    canonicalQuery,
    signed.map(([name, value]) => `${name}:${value.trim()}\n`).join(''),
    signedHeaderNames,
    EMPTY_BODY_SHA256,
  ].join('\n');
  const stringToSign = `${ALGORITHM}\n${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`;
  const signature = createHmac('sha256', credentials.accessKeySecret).update(stringToSign, 'utf8').digest('hex');
  const wireQuery = encoded.map(([name, value]) => `${name}=${value}`).join('&');
  return {
    path: wireQuery === '' ? '/' : `/?${wireQuery}`,
    headers: {
      ...Object.fromEntries(signed),
      accept: 'application/json',
      authorization: `${ALGORITHM} Credential=${credentials.accessKeyId},SignedHeaders=${signedHeaderNames},Signature=${signature}`,
    },
  };
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
