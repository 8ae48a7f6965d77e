import { KmsError } from '../../domain/errors.js';

/**
 * A request as the HTTP layer hands it to signature verification: everything either scheme can
 * sign, already decoded, and nothing tied to a transport.
 *
 * Contract for the HTTP layer:
 * - `query` and `formParams` hold percent-decoded pairs in their order on the wire (`+` decoded as
 *   a space, as `URLSearchParams` does). Verification re-encodes them canonically; it never signs
 *   the raw query string, because SDKs leave characters such as `*()'!` unescaped there.
 * - `headers` uses lower-case names, as `node:http` gives them. `host` must be the Host header the
 *   client sent (with its port): ACS3 signs it, so a proxy in front must pass it on unchanged.
 * - `body` holds the exact bytes received (after any chunked transfer coding is undone).
 */
export interface SignedRequest {
  /** `GET` or `POST`, upper case. */
  readonly method: string;
  /** The path only, without the query: `/` for every KMS action. */
  readonly path: string;
  /** Percent-decoded query pairs, in order. */
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** Decoded pairs of an `application/x-www-form-urlencoded` body; empty for any other body. */
  readonly formParams: ReadonlyArray<readonly [string, string]>;
  /** The raw body bytes; an empty buffer when there is none. */
  readonly body: Buffer;
  /** Lower-case header names; repeated headers may arrive as arrays. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export const SignatureScheme = {
  HmacSha1V1: 'HMAC-SHA1',
  Acs3HmacSha256: 'ACS3-HMAC-SHA256',
  Acs3HmacSm3: 'ACS3-HMAC-SM3',
} as const;
export type SignatureScheme = (typeof SignatureScheme)[keyof typeof SignatureScheme];

/** Who sent a request whose signature, timestamp and nonce all checked out. */
export interface VerifiedCaller {
  readonly accessKeyId: string;
  readonly nonce: string;
  readonly timestampMs: number;
  readonly scheme: SignatureScheme;
}

/**
 * What a well-formed signed request claims, before anything is trusted: produced by each scheme's
 * parser, which refuses malformed requests, and checked by `verifyRequest` in a fixed order.
 */
export interface SignatureClaim {
  readonly scheme: SignatureScheme;
  readonly accessKeyId: string;
  readonly nonce: string;
  /** The timestamp text as sent; `verifyRequest` parses it after the secret lookup. */
  readonly timestampText: string;
  /** Whether the request was signed with `secret`; compares in constant time. */
  isSignedWith(secret: string): boolean;
}

/** Every value of a header, in arrival order; an absent header gives none. */
export function headerValues(request: SignedRequest, lowerCaseName: string): readonly string[] {
  const value = request.headers[lowerCaseName];
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/**
 * The single value of a header that must not repeat (`authorization`, `x-acs-date` …). A repeated
 * one is refused rather than guessed at: the verifier and the handler must read the same value.
 */
export function singleHeader(request: SignedRequest, lowerCaseName: string): string | undefined {
  const values = headerValues(request, lowerCaseName);
  if (values.length > 1) throw new KmsError('IncompleteSignature', `The header ${lowerCaseName} is repeated.`);
  return values[0];
}
