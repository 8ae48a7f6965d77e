// ACS3-HMAC-SHA256 in the browser, with WebCrypto: the same signature the Alibaba SDKs send and
// the server verifies (its ACS3 parser). Every parameter goes in the query, the POST body is empty,
// and host, x-acs-action, x-acs-content-sha256, x-acs-date, x-acs-signature-nonce and
// x-acs-version are signed.
//
//   CanonicalRequest = POST \n / \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n SHA256(body)
//   StringToSign     = "ACS3-HMAC-SHA256" \n hex(SHA-256(CanonicalRequest))
//   Signature        = hex(HMAC-SHA256(AccessKeySecret, StringToSign))
//
// Only DOM-free globals (crypto.subtle, TextEncoder) are used, so the tests run it in Node too.

export const API_VERSION = '2016-01-20';
const ALGORITHM = 'ACS3-HMAC-SHA256';
/** SHA-256 of the empty body. */
const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

export interface SignedCall {
  /** The request target: `/` and the encoded query. */
  readonly target: string;
  /** The headers to send; the browser adds Host itself, with the value that was signed. */
  readonly headers: Readonly<Record<string, string>>;
}

/** RFC 3986 percent-encoding, as the server's canonical query uses it. */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (mark) => `%${mark.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `yyyy-MM-ddTHH:mm:ssZ`. */
function acsDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function randomNonce(): string {
  return hex(crypto.getRandomValues(new Uint8Array(16)).buffer);
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

const encoder = new TextEncoder();

async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

async function hmacSha256Hex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return hex(await crypto.subtle.sign('HMAC', key, encoder.encode(text)));
}

/**
 * Signs one RPC call for `host` (exactly what the Host header will carry: `location.host`). The
 * nonce is 128 random bits, so a retried call is a new request to the server's replay guard.
 */
export async function signCall(
  credentials: Credentials,
  host: string,
  action: string,
  params: ReadonlyArray<readonly [string, string]>,
  nowMs: number = Date.now(),
): Promise<SignedCall> {
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
    ['x-acs-signature-nonce', randomNonce()],
    ['x-acs-version', API_VERSION],
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
  const stringToSign = `${ALGORITHM}\n${await sha256Hex(canonicalRequest)}`;
  const signature = await hmacSha256Hex(credentials.accessKeySecret, stringToSign);
  const wireQuery = encoded.map(([name, value]) => `${name}=${value}`).join('&');
  // Host is the browser's to set (a forbidden header name in fetch); it sends location.host.
  const headers = Object.fromEntries(signed.filter(([name]) => name !== 'host'));
  return {
    target: wireQuery === '' ? '/' : `/?${wireQuery}`,
    headers: {
      ...headers,
      accept: 'application/json',
      authorization: `${ALGORITHM} Credential=${credentials.accessKeyId},SignedHeaders=${signedHeaderNames},Signature=${signature}`,
    },
  };
}
