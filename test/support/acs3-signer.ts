// A small, independent request signer and sender for end-to-end tests. It follows the written
// algorithms (docs: alibaba-kms-api.md §1.3 ACS3-HMAC-SHA256 and §1.4 HMAC-SHA1 signature 1.0)
// and shares no code with src/, so a test can catch a verifier that drifted from the spec. It
// returns the request as plain data (method, path, headers, body) that a test may change after
// signing, send twice, or send with a chunked body.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export const API_VERSION = '2016-01-20';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

/** Parameters in wire order; a name may repeat. A record is taken in its key order. */
export type ParamInput = Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;

/** A request ready to send: every field may be changed after signing. */
export interface PreparedRequest {
  method: string;
  /** The request target as sent: path plus `?query` when there is one. */
  path: string;
  /** Header names in lower case; `host` is always present. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  readonly json: any;
}

/** `encodeURIComponent` plus `! ' ( ) *`: the percent-encoding both schemes use. */
export function pe(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function toPairs(params: ParamInput | undefined): Array<[string, string]> {
  if (params === undefined) return [];
  if (Array.isArray(params)) return params.map(([k, v]) => [k, v] as [string, string]);
  return Object.entries(params as Record<string, string>);
}

/** `a=1&b=x%20y`: how the signers write parameters on the wire (strict RFC 3986 encoding). */
export function encodeParams(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => `${pe(k)}=${pe(v)}`).join('&');
}

/** Sorted by encoded name, then encoded value; `name=value` joined with `&`. */
export function canonicalQueryString(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs
    .map(([k, v]) => [pe(k), pe(v)] as const)
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** `yyyy-MM-ddTHH:mm:ssZ` in UTC. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function newNonce(): string {
  return randomBytes(32).toString('hex');
}

// ---------------------------------------------------------------------------------------------
// ACS3-HMAC-SHA256

export interface Acs3Options {
  readonly credentials: Credentials;
  /** `host:port`, exactly as the signed `host` header. */
  readonly host: string;
  readonly method?: string;
  readonly path?: string;
  /** Query parameters, signed. */
  readonly query?: ParamInput;
  /** Replaces the query written on the wire (the signature still covers `query`). */
  readonly rawQuery?: string;
  /** Sent as `x-acs-action` (signed) when given; `null` leaves the header out. */
  readonly action?: string | null;
  /** Sent as `x-acs-version` (signed); defaults to 2016-01-20, `null` leaves it out. */
  readonly version?: string | null;
  /** A form body (`application/x-www-form-urlencoded`) built from these parameters. */
  readonly form?: ParamInput;
  /** A raw body; wins over `form`. */
  readonly body?: Buffer | string;
  readonly contentType?: string;
  /** Extra headers; `x-acs-*` ones are signed like the SDK does. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Extra headers that are sent but not signed. */
  readonly unsignedHeaders?: Readonly<Record<string, string>>;
  /** x-acs-date as text, or a time in ms; default now. */
  readonly date?: string | number;
  readonly nonce?: string;
  /** Overrides the signed header list (names in lower case, sorted by the caller). */
  readonly signedHeaders?: readonly string[];
  /** Overrides x-acs-content-sha256 (the signature then covers this value). */
  readonly contentSha256?: string;
}

export function acs3CanonicalRequest(parts: {
  method: string;
  path: string;
  query: ReadonlyArray<readonly [string, string]>;
  headers: Readonly<Record<string, string>>;
  signedHeaders: readonly string[];
  payloadHash: string;
}): string {
  const canonicalHeaders = parts.signedHeaders.map((name) => `${name}:${(parts.headers[name] ?? '').trim()}\n`).join('');
  return [
    parts.method,
    parts.path,
    canonicalQueryString(parts.query),
    canonicalHeaders,
    parts.signedHeaders.join(';'),
    parts.payloadHash,
  ].join('\n');
}

export function acs3SignatureOf(canonicalRequest: string, secret: string): string {
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex');
}

export function signAcs3(options: Acs3Options): PreparedRequest {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/';
  const query = toPairs(options.query);
  let body: Buffer;
  let contentType = options.contentType;
  if (options.body !== undefined) {
    body = Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
  } else if (options.form !== undefined) {
    body = Buffer.from(encodeParams(toPairs(options.form)), 'utf8');
    contentType ??= 'application/x-www-form-urlencoded';
  } else {
    body = Buffer.alloc(0);
  }

  const headers: Record<string, string> = { host: options.host };
  if (options.version !== null) headers['x-acs-version'] = options.version ?? API_VERSION;
  if (options.action !== undefined && options.action !== null) headers['x-acs-action'] = options.action;
  const date = options.date ?? Date.now();
  headers['x-acs-date'] = typeof date === 'number' ? formatTimestamp(date) : date;
  headers['x-acs-signature-nonce'] = options.nonce ?? newNonce();
  headers.accept = 'application/json';
  headers['x-acs-content-sha256'] = options.contentSha256 ?? sha256Hex(body);
  if (contentType !== undefined) headers['content-type'] = contentType;
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;

  const signedHeaders =
    options.signedHeaders ??
    Object.keys(headers)
      .filter((name) => name === 'host' || name === 'content-type' || name.startsWith('x-acs-'))
      .sort();
  const signature = acs3SignatureOf(
    acs3CanonicalRequest({ method, path, query, headers, signedHeaders, payloadHash: headers['x-acs-content-sha256'] ?? '' }),
    options.credentials.accessKeySecret,
  );
  headers.authorization =
    `ACS3-HMAC-SHA256 Credential=${options.credentials.accessKeyId},` + `SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`;
  for (const [name, value] of Object.entries(options.unsignedHeaders ?? {})) headers[name.toLowerCase()] = value;

  const wireQuery = options.rawQuery ?? encodeParams(query);
  return { method, path: wireQuery === '' ? path : `${path}?${wireQuery}`, headers, body };
}

// ---------------------------------------------------------------------------------------------
// HMAC-SHA1, signature 1.0 (the legacy Python/Java core SDKs: GET, everything in the query)

export interface V1Options {
  readonly credentials: Credentials;
  readonly host: string;
  readonly method?: string;
  readonly action?: string;
  readonly version?: string;
  /** Business parameters. */
  readonly params?: ParamInput;
  /** Time in ms or text; default now. */
  readonly timestamp?: string | number;
  readonly nonce?: string;
  /** For POST: put every parameter (signature included) in a form body instead of the query. */
  readonly inBody?: boolean;
  /** The `Format` parameter: `JSON` by default, as the legacy cores send it; null leaves it out. */
  readonly format?: string | null;
}

export function v1StringToSign(method: string, pairs: ReadonlyArray<readonly [string, string]>): string {
  return `${method}&${pe('/')}&${pe(canonicalQueryString(pairs))}`;
}

export function v1SignatureOf(stringToSign: string, secret: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign, 'utf8').digest('base64');
}

export function signV1(options: V1Options): PreparedRequest {
  const method = options.method ?? 'GET';
  const timestamp = options.timestamp ?? Date.now();
  const pairs: Array<[string, string]> = [
    ...(options.action === undefined ? [] : [['Action', options.action] as [string, string]]),
    ['Version', options.version ?? API_VERSION],
    ...(options.format === null ? [] : [['Format', options.format ?? 'JSON'] as [string, string]]),
    ['RegionId', 'cn-hangzhou'],
    ['AccessKeyId', options.credentials.accessKeyId],
    ['SignatureMethod', 'HMAC-SHA1'],
    ['SignatureVersion', '1.0'],
    ['SignatureNonce', options.nonce ?? newNonce()],
    ['Timestamp', typeof timestamp === 'number' ? formatTimestamp(timestamp) : timestamp],
    ...toPairs(options.params),
  ];
  const signature = v1SignatureOf(v1StringToSign(method, pairs), options.credentials.accessKeySecret);
  const all = encodeParams([...pairs, ['Signature', signature]]);
  if (options.inBody) {
    return {
      method,
      path: '/',
      headers: { host: options.host, 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(all, 'utf8'),
    };
  }
  return { method, path: `/?${all}`, headers: { host: options.host }, body: Buffer.alloc(0) };
}

// ---------------------------------------------------------------------------------------------
// Sending

export interface Target {
  /** Where to connect; the Host header comes from the prepared request. */
  readonly port: number;
  readonly hostname?: string;
}

export interface SendOptions {
  /** Send the body with `Transfer-Encoding: chunked` in this many pieces (no Content-Length). */
  readonly chunks?: number;
}

export function send(target: Target, prepared: PreparedRequest, options: SendOptions = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...prepared.headers, connection: 'close' };
    const chunked = options.chunks !== undefined;
    if (chunked) headers['transfer-encoding'] = 'chunked';
    else if (prepared.body.length > 0 || prepared.method === 'POST') headers['content-length'] = String(prepared.body.length);
    const req = httpRequest(
      {
        hostname: target.hostname ?? '127.0.0.1',
        port: target.port,
        method: prepared.method,
        path: prepared.path,
        headers,
        setHost: false,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => resolve(toResponse(res.statusCode ?? 0, res.headers, Buffer.concat(parts))));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (chunked) {
      const count = Math.max(1, options.chunks ?? 1);
      const size = Math.ceil(prepared.body.length / count) || 1;
      for (let offset = 0; offset < prepared.body.length; offset += size) req.write(prepared.body.subarray(offset, offset + size));
      req.end();
    } else {
      req.end(prepared.body.length > 0 ? prepared.body : undefined);
    }
  });
}

/**
 * Writes `raw` to a fresh connection byte for byte and reads until the server closes it. For
 * requests that node:http refuses to build (bytes a client library would escape).
 */
export function sendRaw(target: Target, raw: Buffer): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.hostname ?? '127.0.0.1', port: target.port });
    const parts: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => parts.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      try {
        resolve(parseRawResponse(Buffer.concat(parts)));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.write(raw);
  });
}

/** The bytes of a prepared request, as a client would write them (Content-Length, close). */
export function serialize(prepared: PreparedRequest): Buffer {
  const headers = { ...prepared.headers, connection: 'close', 'content-length': String(prepared.body.length) };
  const head = `${prepared.method} ${prepared.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), prepared.body]);
}

function parseRawResponse(bytes: Buffer): HttpResponse {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`no HTTP response: ${JSON.stringify(bytes.toString('latin1'))}`);
  const [statusLine = '', ...headerLines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers: IncomingHttpHeaders = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = bytes.subarray(end + 4);
  if (String(headers['transfer-encoding'] ?? '').toLowerCase() === 'chunked') body = dechunk(body);
  return toResponse(status, headers, body);
}

/** The body of a chunked HTTP/1.1 message, its chunks joined (trailers ignored). */
export function dechunk(bytes: Buffer): Buffer {
  const out: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', offset);
    if (lineEnd === -1) break;
    const size = parseInt(bytes.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(out);
}

function toResponse(status: number, headers: IncomingHttpHeaders, body: Buffer): HttpResponse {
  const text = body.toString('utf8');
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, headers, body, text, json };
}

// ---------------------------------------------------------------------------------------------
// A convenience client over the signer

export interface KmsEndpoint {
  readonly port: number;
  /** `host:port`. */
  readonly endpoint: string;
}

/** Signs `action` with ACS3 the way the current SDK does (parameters in the query) and sends it. */
export async function callAcs3(
  server: KmsEndpoint,
  credentials: Credentials,
  action: string,
  params: ParamInput = {},
): Promise<HttpResponse> {
  return send(server, signAcs3({ credentials, host: server.endpoint, action, query: params }));
}

/** Like callAcs3, and fails the test with the response when the call did not succeed. */
export async function callOk(server: KmsEndpoint, credentials: Credentials, action: string, params: ParamInput = {}): Promise<any> {
  const response = await callAcs3(server, credentials, action, params);
  if (response.status !== 200 || response.json === undefined) {
    throw new Error(`${action} ${JSON.stringify(toPairs(params))} failed: HTTP ${response.status} ${response.text}`);
  }
  return response.json;
}
