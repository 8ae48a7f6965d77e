// A light ACS3-HMAC-SHA256 signer for the load generator (docs: alibaba-kms-api.md §1.3). The
// official SDK saturates its own core near 2,000 requests/s and would measure itself, so this one
// precomputes everything that does not change between requests of a scenario (the canonical
// query, the wire path, the static signed headers) and per request only hashes the canonical
// request with the current x-acs-date and a fresh nonce, then HMACs it. It shares no code with
// src/ (nor with test/), so the bench also exercises the server's verifier honestly.
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const API_VERSION = '2016-01-20';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SIGNED_HEADERS = 'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version';

export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

/** `encodeURIComponent` plus `! ' ( ) *`. */
export function pe(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function encodeQuery(params: Readonly<Record<string, string>>): { wire: string; canonicalQuery: string } {
  const encoded = Object.entries(params).map(([k, v]) => [pe(k), pe(v)] as const);
  const wire = encoded.map(([k, v]) => `${k}=${v}`).join('&');
  const canonicalQuery = [...encoded]
    .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return { wire, canonicalQuery };
}

/** Signs requests for one action with fixed query parameters (a POST with an empty body). */
export class ActionSigner {
  /** The request target: `/?a=1&b=2`. */
  readonly path: string;
  private readonly prefix: string;
  private readonly suffix: string;
  private readonly noncePrefix = randomBytes(12).toString('hex');
  private nonceCounter = 0;
  private dateSecond = -1;
  private date = '';

  constructor(
    private readonly credentials: Credentials,
    /** `host:port`, exactly as sent in the Host header. */
    readonly host: string,
    readonly action: string,
    params: Readonly<Record<string, string>>,
  ) {
    const { wire, canonicalQuery } = encodeQuery(params);
    this.path = wire === '' ? '/' : `/?${wire}`;
    this.prefix = this.#prefixFor(canonicalQuery);
    this.suffix = `\nx-acs-version:${API_VERSION}\n\n${SIGNED_HEADERS}\n${EMPTY_SHA256}`;
  }

  /** Fresh headers for one request: current date, unique nonce, signature. */
  headers(): Record<string, string> {
    return this.#sign(this.prefix);
  }

  /**
   * A request with other parameters than the constructor's (the scale mode's random KeyId): the
   * canonical query is built for this one request.
   */
  request(params: Readonly<Record<string, string>>): { path: string; headers: Record<string, string> } {
    const { wire, canonicalQuery } = encodeQuery(params);
    return { path: wire === '' ? '/' : `/?${wire}`, headers: this.#sign(this.#prefixFor(canonicalQuery)) };
  }

  #prefixFor(canonicalQuery: string): string {
    return (
      `POST\n/\n${canonicalQuery}\nhost:${this.host}\nx-acs-action:${this.action}\n` + `x-acs-content-sha256:${EMPTY_SHA256}\nx-acs-date:`
    );
  }

  #sign(prefix: string): Record<string, string> {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== this.dateSecond) {
      this.dateSecond = second;
      this.date = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    const nonce = `${this.noncePrefix}${(this.nonceCounter++).toString(16).padStart(12, '0')}`;
    const canonical = `${prefix}${this.date}\nx-acs-signature-nonce:${nonce}${this.suffix}`;
    const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
    const signature = createHmac('sha256', this.credentials.accessKeySecret).update(stringToSign).digest('hex');
    return {
      host: this.host,
      'x-acs-action': this.action,
      'x-acs-version': API_VERSION,
      'x-acs-date': this.date,
      'x-acs-signature-nonce': nonce,
      'x-acs-content-sha256': EMPTY_SHA256,
      accept: 'application/json',
      'content-length': '0',
      authorization: `ACS3-HMAC-SHA256 Credential=${this.credentials.accessKeyId},SignedHeaders=${SIGNED_HEADERS},Signature=${signature}`,
    };
  }
}
