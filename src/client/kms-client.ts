import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { type Credentials, signCall } from './acs3-signer.js';

/** The RAM API's version (users, access keys, groups, policies), answered on the same endpoint. */
export const RAM_API_VERSION = '2015-05-01';

/** A JSON object as an API response holds it. */
export type ResponseBody = Readonly<Record<string, unknown>>;

/** Parameters of one call; undefined values are left out. */
export type CallParams = Readonly<Record<string, string | number | boolean | undefined>>;

export interface KmsClientOptions {
  /** `host:port` (HTTP, as the SDKs take it), or a URL `http://host:port` / `https://host`. */
  readonly endpoint: string;
  readonly credentials: Credentials;
  /** Per-request timeout; default 30 s. */
  readonly timeoutMs?: number;
}

/** The API refused the call: its Code, Message and RequestId, as Alibaba's error body carries them. */
export class KmsApiError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly requestId: string | undefined;

  constructor(code: string, message: string, httpStatus: number, requestId: string | undefined) {
    super(`${code}: ${message}`);
    this.name = 'KmsApiError';
    this.code = code;
    this.httpStatus = httpStatus;
    this.requestId = requestId;
  }
}

/** The call never got an API answer: connection refused, timeout, a body that is not JSON. */
export class KmsTransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KmsTransportError';
  }
}

interface Target {
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: number;
  /** What the Host header carries and the signature covers. */
  readonly host: string;
}

const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** Parses `host:port`, `http://host:port` or `https://host[:port]`; throws on anything else. */
export function parseEndpoint(endpoint: string): Target {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`not an endpoint: ${endpoint} (expected host:port or http(s)://host:port)`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== '')) {
    throw new Error(`not an endpoint: ${endpoint} (expected host:port or http(s)://host:port)`);
  }
  const secure = url.protocol === 'https:';
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  return { secure, hostname: url.hostname.replace(/^\[|\]$/g, ''), port, host: url.host };
}

/**
 * A small client for Arca's (and Alibaba Cloud KMS's) RPC API: signs each call with
 * ACS3-HMAC-SHA256 and returns the parsed JSON body, or throws `KmsApiError` with the API's Code.
 */
export class KmsClient {
  readonly #target: Target;
  readonly #credentials: Credentials;
  readonly #timeoutMs: number;
  readonly #agent: HttpAgent;

  constructor(options: KmsClientOptions) {
    this.#target = parseEndpoint(options.endpoint);
    this.#credentials = options.credentials;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#agent = this.#target.secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  }

  /**
   * Calls `action` and resolves with the response body; rejects with KmsApiError or
   * KmsTransportError. `version` is the API's: KMS (2016-01-20) unless given, RAM_API_VERSION
   * for the RAM actions the same endpoint answers.
   */
  async call(action: string, params: CallParams = {}, version?: string): Promise<ResponseBody> {
    const pairs = Object.entries(params)
      .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
      .map(([name, value]) => [name, String(value)] as const);
    const signed = signCall(this.#credentials, this.#target.host, action, pairs, Date.now(), version);
    const { status, body } = await this.#send(signed.path, signed.headers);
    return interpret(status, body);
  }

  /** Closes idle keep-alive connections so the process can exit. */
  close(): void {
    this.#agent.destroy();
  }

  #send(path: string, headers: Readonly<Record<string, string>>): Promise<{ status: number; body: Buffer }> {
    const target = this.#target;
    const send = target.secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(
        {
          hostname: target.hostname,
          port: target.port,
          method: 'POST',
          path,
          headers: { ...headers, 'content-length': '0' },
          agent: this.#agent,
          setHost: false,
          timeout: this.#timeoutMs,
        },
        (response) => {
          readBody(response).then((body) => resolve({ status: response.statusCode ?? 0, body }), reject);
        },
      );
      request.on('timeout', () => request.destroy(new KmsTransportError(`no answer from ${target.host} within ${this.#timeoutMs} ms`)));
      request.on('error', (error: NodeJS.ErrnoException) => {
        reject(
          error instanceof KmsTransportError ? error : new KmsTransportError(`cannot reach ${target.host}: ${error.code ?? error.message}`),
        );
      });
      request.end();
    });
  }
}

function readBody(response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let length = 0;
    response.on('data', (part: Buffer) => {
      length += part.length;
      if (length > MAX_RESPONSE_BYTES) {
        response.destroy(new KmsTransportError('the response is larger than 4 MiB'));
        return;
      }
      parts.push(part);
    });
    response.on('end', () => resolve(Buffer.concat(parts)));
    response.on('error', reject);
  });
}

function interpret(status: number, body: Buffer): ResponseBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new KmsTransportError(`HTTP ${status} with a body that is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new KmsTransportError(`HTTP ${status} with a body that is not a JSON object`);
  }
  const fields = parsed as Record<string, unknown>;
  if (status === 200) return fields;
  const code = typeof fields.Code === 'string' ? fields.Code : `HTTP${status}`;
  const message = typeof fields.Message === 'string' ? fields.Message : 'the server refused the request';
  const requestId = typeof fields.RequestId === 'string' ? fields.RequestId : undefined;
  throw new KmsApiError(code, message, status, requestId);
}

/** The string at `path` (e.g. `KeyMetadata.KeyId`) in a response, or an error naming it. */
export function stringAt(body: ResponseBody, path: string): string {
  const value = valueAt(body, path);
  if (typeof value !== 'string') throw new KmsTransportError(`the response has no ${path}`);
  return value;
}

/** The value at a dotted path, or undefined. */
export function valueAt(body: ResponseBody, path: string): unknown {
  let value: unknown = body;
  for (const name of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, name)) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

/** The array at `path` (Alibaba wraps lists: `Keys.Key`), empty when absent. */
export function listAt(body: ResponseBody, path: string): ReadonlyArray<Readonly<Record<string, unknown>>> {
  const value = valueAt(body, path);
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null);
}
