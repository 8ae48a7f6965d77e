import { createHmac } from 'node:crypto';

import { KmsError } from '../../domain/errors.js';
import { signaturesEqual } from './constant-time.js';
import { canonicalQuery, pe } from './percent-encode.js';
import { SignatureScheme, type SignatureClaim, type SignedRequest } from './signed-request.js';

type Pairs = ReadonlyArray<readonly [string, string]>;

const SIGNATURE_PARAM = 'Signature';

/**
 * Whether a request carries a signature 1.0 (`Signature` in the query or the form body). The
 * dispatcher asks this only after ruling out an ACS `Authorization` header.
 */
export function looksLikeHmacSha1V1(request: SignedRequest): boolean {
  return allParams(request).some(([key]) => key === SIGNATURE_PARAM);
}

/**
 * Parses a signature 1.0 request (HMAC-SHA1, `SignatureVersion=1.0`, everything in the query or
 * a form body). Refuses with `MissingParameter` naming an absent or empty common parameter, and
 * with `IncompleteSignature` for a repeated one or an unsupported method or version. Headers are
 * not covered by this scheme, so nothing here reads them.
 */
export function parseHmacSha1V1(request: SignedRequest): SignatureClaim {
  const params = allParams(request);
  const signature = requiredParam(params, SIGNATURE_PARAM);
  const signatureMethod = requiredParam(params, 'SignatureMethod');
  if (signatureMethod !== 'HMAC-SHA1') {
    throw new KmsError('IncompleteSignature', `The signature method ${signatureMethod} is not supported.`);
  }
  const signatureVersion = requiredParam(params, 'SignatureVersion');
  if (signatureVersion !== '1.0') {
    throw new KmsError('IncompleteSignature', `The signature version ${signatureVersion} is not supported.`);
  }
  return {
    scheme: SignatureScheme.HmacSha1V1,
    accessKeyId: requiredParam(params, 'AccessKeyId'),
    nonce: requiredParam(params, 'SignatureNonce'),
    timestampText: requiredParam(params, 'Timestamp'),
    // Canonicalised only once the access key is known (see verifyRequest).
    isSignedWith: (secret) =>
      signaturesEqual(hmacSha1V1Signature(hmacSha1V1StringToSign(request.method, paramsWithoutSignature(params)), secret), signature),
  };
}

/**
 * `METHOD&%2F&pe(CanonicalizedQueryString)`. The path is always `/` in this scheme, whatever
 * path the request used: the SDKs sign the constant, so the path is not covered.
 */
export function hmacSha1V1StringToSign(method: string, signedParams: Pairs): string {
  return `${method}&${pe('/')}&${pe(canonicalQuery(signedParams))}`;
}

/** base64(HMAC-SHA1(key = secret + "&", stringToSign)). */
export function hmacSha1V1Signature(stringToSign: string, secret: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign, 'utf8').digest('base64');
}

// Signature 1.0 signs the form body's parameters together with the query's (kms 2.0.0/2.0.1 sent
// every business parameter in the body).
function allParams(request: SignedRequest): Pairs {
  return [...request.query, ...request.formParams];
}

function paramsWithoutSignature(params: Pairs): Pairs {
  return params.filter(([key]) => key !== SIGNATURE_PARAM);
}

// A repeated common parameter is refused: the verifier and the handler must not be able to read
// different values of, say, AccessKeyId.
function requiredParam(params: Pairs, name: string): string {
  const values = params.filter(([key]) => key === name).map(([, value]) => value);
  if (values.length > 1) throw new KmsError('IncompleteSignature', `The parameter ${name} is repeated.`);
  const value = values[0];
  if (value === undefined || value === '') throw new KmsError('MissingInput', name);
  return value;
}
