import { KmsError } from '../../domain/errors.js';

/**
 * The percent-encoding both Alibaba signature schemes use for canonical strings:
 * `encodeURIComponent` plus `! ' ( ) *` as `%21 %27 %28 %29 %2A`. So space becomes `%20` (never
 * `+`), `~` stays literal, and only `A–Z a–z 0–9 - _ . ~` pass through unescaped.
 *
 * Precondition: `s` is well-formed UTF-16 (no lone surrogate), which every string decoded from
 * UTF-8 is; otherwise `encodeURIComponent` throws `URIError`.
 */
export function pe(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, escapeReservedMark);
}

function escapeReservedMark(mark: string): string {
  return `%${mark.charCodeAt(0).toString(16).toUpperCase()}`;
}

/**
 * `pe(key)=pe(value)` pairs joined with `&`, sorted by encoded key and then by encoded value: the
 * canonical query of both schemes. The encoded forms are ASCII, so this order is byte order, and for
 * the parameter names SDKs send (letters, digits, `.`) it equals the SDKs' order of raw names.
 *
 * Keys are encoded too, although the Node SDK writes ACS3 keys raw: the result is the same for every
 * real parameter name, and an encoded key cannot smuggle `=` or `&` into the canonical form (raw, a
 * single parameter named `a=1&b` with value `2` would canonicalise like the two parameters a and b).
 * Repeated names are all kept, so a signature covers every value a handler could read.
 */
export function canonicalQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs
    .map(([key, value]) => [encodeOrRefuse(key), encodeOrRefuse(value)] as const)
    .sort(([keyA, valueA], [keyB, valueB]) => compareAscii(keyA, keyB) || compareAscii(valueA, valueB))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

function compareAscii(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function encodeOrRefuse(s: string): string {
  try {
    return pe(s);
  } catch (error) {
    // A lone surrogate cannot come from decoding UTF-8, but a faulty transport could hand one
    // over; refuse the request rather than let a URIError become an internal failure.
    if (error instanceof URIError) throw new KmsError('IncompleteSignature', 'A parameter is not well-formed text.');
    throw error;
  }
}
