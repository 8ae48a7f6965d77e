import { createHash, createHmac, getHashes } from 'node:crypto';

import { KmsError } from '../../domain/errors.js';
import { signaturesEqual } from './constant-time.js';
import { canonicalQuery } from './percent-encode.js';
import { headerValues, SignatureScheme, singleHeader, type SignatureClaim, type SignedRequest } from './signed-request.js';

/** The ACS3 algorithms Arca verifies: one canonical request, and a digest chosen by the name. */
export type Acs3HmacAlgorithm = typeof SignatureScheme.Acs3HmacSha256 | typeof SignatureScheme.Acs3HmacSm3;

/**
 * The OpenSSL digest each algorithm uses, as the SDKs do, for all three steps: the body hash, the
 * hash of the canonical request and the HMAC. Both digests are 256 bits long.
 */
const DIGEST_OF: Readonly<Record<Acs3HmacAlgorithm, string>> = {
  [SignatureScheme.Acs3HmacSha256]: 'sha256',
  [SignatureScheme.Acs3HmacSm3]: 'sm3',
};

const ACS3_HMAC_ALGORITHMS: readonly Acs3HmacAlgorithm[] = [SignatureScheme.Acs3HmacSha256, SignatureScheme.Acs3HmacSm3];

// A Node linked against an OpenSSL without SM3 (some FIPS builds) would throw on every SM3 request;
// there the algorithm is refused as unsupported instead.
const DIGESTS_OF_THIS_NODE: ReadonlySet<string> = new Set(getHashes());

/**
 * The algorithm named `name` in an Authorization header, when Arca verifies it and this Node's
 * OpenSSL offers its digest; otherwise `undefined`.
 */
export function acs3HmacAlgorithmNamed(
  name: string,
  availableDigests: ReadonlySet<string> = DIGESTS_OF_THIS_NODE,
): Acs3HmacAlgorithm | undefined {
  return ACS3_HMAC_ALGORITHMS.find((algorithm) => algorithm === name && availableDigests.has(DIGEST_OF[algorithm]));
}

/**
 * Headers a signature must cover whatever the SDK: without them a captured request could be sent
 * to another host, with another timestamp or nonce, or with another body.
 */
const ALWAYS_SIGNED_HEADERS = ['host', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'] as const;

/** Headers that choose what the request does; when present they must be signed. */
const SIGNED_WHEN_PRESENT_HEADERS = ['x-acs-action', 'x-acs-version'] as const;

interface AuthorizationFields {
  readonly algorithm: Acs3HmacAlgorithm;
  readonly accessKeyId: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/**
 * Whether the `Authorization` header names an ACS algorithm (`ACS3-…`, `ACS4-…`). Such requests
 * go to this parser even when the algorithm is one Arca does not support, so the refusal can say
 * so instead of calling the request unsigned.
 */
export function hasAcsAuthorization(request: SignedRequest): boolean {
  return headerValues(request, 'authorization').some((value) => /^ACS\d+-/.test(value));
}

/**
 * Parses an ACS3-HMAC-SHA256 or ACS3-HMAC-SM3 request (`Authorization: <algorithm>
 * Credential=<id>,SignedHeaders=<h1;h2…>,Signature=<hex>`). Refuses with `IncompleteSignature` when
 * the header is malformed, the algorithm is another one (ACS3-RSA-SHA256, ACS4-*), a signed header
 * is absent, or a header that must be signed is not.
 *
 * The two algorithms differ only in the digest. ACS3-HMAC-SM3 still carries its (SM3) body hash in
 * `x-acs-content-sha256`: both SDK cores name the header so whatever the algorithm.
 *
 * The canonical request is rebuilt from the decoded query and the header values, never from the raw
 * request line. The signer's list of signed headers is honoured as sent (the SDK signs every
 * `x-acs-*` header it sets, `x-acs-credentials-provider` included), subject to the minimum above.
 */
export function parseAcs3Hmac(request: SignedRequest): SignatureClaim {
  const { algorithm, accessKeyId, signedHeaders, signature } = parseAuthorization(request);
  requireSecurityRelevantHeadersSigned(request, signedHeaders);
  requireSignedHeadersPresent(request, signedHeaders);

  const declaredBodyHash = requiredHeader(request, 'x-acs-content-sha256');

  return {
    scheme: algorithm,
    accessKeyId,
    nonce: requiredHeader(request, 'x-acs-signature-nonce'),
    timestampText: requiredHeader(request, 'x-acs-date'),
    // The body is hashed and the request canonicalised only once the access key is known (see
    // verifyRequest).
    isSignedWith: (secret) => {
      const actualBodyHash = acs3PayloadHash(algorithm, request.body);
      const stringToSign = acs3StringToSign(algorithm, canonicalRequest(request, signedHeaders, actualBodyHash));
      // Compared outside the HMAC on purpose: the hash names public bytes, and an SDK that hashed a
      // different body than it sent must fail even though the header itself is signed.
      return signaturesEqual(acs3Signature(algorithm, stringToSign, secret), signature) && declaredBodyHash === actualBodyHash;
    },
  };
}

/**
 * `METHOD \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n
 * HashedRequestPayload`. CanonicalHeaders ends in `\n` itself, hence the empty line before the
 * signed header list.
 */
export function canonicalRequest(request: SignedRequest, signedHeaders: readonly string[], bodyHash: string): string {
  return [
    request.method,
    request.path,
    canonicalQuery(request.query),
    canonicalHeaders(request, signedHeaders),
    signedHeaders.join(';'),
    bodyHash,
  ].join('\n');
}

/** `HashedRequestPayload`: hex(digest(raw body bytes)), lower case. */
export function acs3PayloadHash(algorithm: Acs3HmacAlgorithm, body: Buffer): string {
  return hexDigest(algorithm, body);
}

/** `<algorithm>\n` + hex(digest(canonical request)). */
export function acs3StringToSign(algorithm: Acs3HmacAlgorithm, canonical: string): string {
  return `${algorithm}\n${hexDigest(algorithm, Buffer.from(canonical, 'utf8'))}`;
}

/** hex(HMAC-digest(key = secret, stringToSign)), lower case. */
export function acs3Signature(algorithm: Acs3HmacAlgorithm, stringToSign: string, secret: string): string {
  return createHmac(DIGEST_OF[algorithm], secret).update(stringToSign, 'utf8').digest('hex');
}

// `name:value\n` per signed header, in the (sorted) signed order. The host value keeps its port.
// A repeated header contributes its trimmed values sorted and joined with commas, as the SDK's
// canonicaliser does.
function canonicalHeaders(request: SignedRequest, signedHeaders: readonly string[]): string {
  return signedHeaders
    .map((name) => {
      const values = headerValues(request, name)
        .map((value) => value.trim())
        .sort();
      return `${name}:${values.join(',')}\n`;
    })
    .join('');
}

function parseAuthorization(request: SignedRequest): AuthorizationFields {
  const authorization = singleHeader(request, 'authorization') ?? '';
  const separator = authorization.indexOf(' ');
  const algorithmName = separator === -1 ? authorization : authorization.slice(0, separator);
  const algorithm = acs3HmacAlgorithmNamed(algorithmName);
  if (algorithm === undefined) {
    throw new KmsError('IncompleteSignature', `The signature algorithm ${algorithmName} is not supported.`);
  }
  const fields = parseAuthorizationFields(separator === -1 ? '' : authorization.slice(separator + 1));
  return {
    algorithm,
    accessKeyId: requiredField(fields, 'Credential'),
    signedHeaders: parseSignedHeaderList(requiredField(fields, 'SignedHeaders')),
    signature: parseHexSignature(requiredField(fields, 'Signature')),
  };
}

function parseAuthorizationFields(text: string): ReadonlyMap<string, string> {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const equals = part.indexOf('=');
    const name = (equals === -1 ? part : part.slice(0, equals)).trim();
    if (equals === -1 || fields.has(name)) {
      throw new KmsError('IncompleteSignature', 'The Authorization header is malformed.');
    }
    fields.set(name, part.slice(equals + 1).trim());
  }
  return fields;
}

function requiredField(fields: ReadonlyMap<string, string>, name: string): string {
  const value = fields.get(name);
  if (value === undefined || value === '') {
    throw new KmsError('IncompleteSignature', `The Authorization header lacks ${name}.`);
  }
  return value;
}

// Lower case, strictly ascending, no empty names: the one form a signer produces. Accepting any
// other order would need a rule for which order the canonical headers follow.
function parseSignedHeaderList(text: string): readonly string[] {
  const names = text.split(';');
  const wellFormed = names.every((name, index) => /^[a-z0-9-]+$/.test(name) && (index === 0 || (names[index - 1] ?? '') < name));
  if (!wellFormed) {
    throw new KmsError('IncompleteSignature', 'SignedHeaders must list lower-case header names, sorted and unique.');
  }
  return names;
}

// 64 digits: both digests are 256 bits.
function parseHexSignature(text: string): string {
  if (!/^[0-9a-f]{64}$/.test(text)) {
    throw new KmsError('IncompleteSignature', 'The signature must be 64 lower-case hexadecimal digits.');
  }
  return text;
}

function requireSecurityRelevantHeadersSigned(request: SignedRequest, signedHeaders: readonly string[]): void {
  const signed = new Set(signedHeaders);
  const mustBeSigned = [
    ...ALWAYS_SIGNED_HEADERS,
    ...SIGNED_WHEN_PRESENT_HEADERS.filter((name) => headerValues(request, name).length > 0),
    // The content type says how the handler reads a body; an unsigned one could turn a signed
    // opaque body into form parameters.
    ...(request.body.length > 0 && headerValues(request, 'content-type').length > 0 ? ['content-type'] : []),
  ];
  const unsigned = mustBeSigned.find((name) => !signed.has(name));
  if (unsigned !== undefined) {
    throw new KmsError('IncompleteSignature', `SignedHeaders must include ${unsigned}.`);
  }
}

function requireSignedHeadersPresent(request: SignedRequest, signedHeaders: readonly string[]): void {
  const absent = signedHeaders.find((name) => headerValues(request, name).length === 0);
  if (absent !== undefined) {
    throw new KmsError('IncompleteSignature', `The signed header ${absent} is absent.`);
  }
}

function requiredHeader(request: SignedRequest, name: string): string {
  const value = singleHeader(request, name)?.trim();
  if (value === undefined || value === '') {
    throw new KmsError('IncompleteSignature', `The header ${name} is empty.`);
  }
  return value;
}

function hexDigest(algorithm: Acs3HmacAlgorithm, bytes: Buffer): string {
  return createHash(DIGEST_OF[algorithm]).update(bytes).digest('hex');
}
