import { KmsError } from '../domain/errors.js';

export type ParamPairs = ReadonlyArray<readonly [string, string]>;

/**
 * The most parameters a request may carry, query and form body together. Every request Arca
 * accepts fits: about 12 common parameters (signature, action, version, region, format), at most
 * 8 of an action's own, and the flattened `EncryptionContext.k=v` form the npm 1.2.0 SDK sends,
 * where a context within its 8192 characters holds at most 1,170 pairs (`"k":""` and a comma
 * each), twice over for ReEncrypt's source and destination contexts: 2,360 in all. The SDKs
 * themselves send 8 to 20. Without a bound, a 256 KiB body of 52,000 tiny parameters cost 70–90 ms
 * of CPU to decode and canonicalise before its access key was even looked up.
 */
export const MAX_PARAMETERS = 2400;

/**
 * Decodes `a=1&b=x%20y` into pairs, in order. `+` is a space (form encoding); malformed
 * percent-encoding is refused, never guessed at, because the signature is computed over the
 * decoded values. More than `maxPairs` pairs is `RequestTooLarge`, found by counting the
 * separators before anything is decoded.
 */
export function decodeUrlEncoded(text: string, source: string, maxPairs = MAX_PARAMETERS): ParamPairs {
  if (text === '') return [];
  const segments = splitAtMost(text, maxPairs);
  const pairs: Array<readonly [string, string]> = [];
  for (const segment of segments) {
    const equals = segment.indexOf('=');
    const rawName = equals === -1 ? segment : segment.slice(0, equals);
    const rawValue = equals === -1 ? '' : segment.slice(equals + 1);
    pairs.push([decodeComponent(rawName, source), decodeComponent(rawValue, source)]);
  }
  return pairs;
}

// `text.split('&')` without the empty segments, refused once there are more than `maxSegments`:
// the count is checked as the text is scanned, so an oversized request costs one pass over it.
function splitAtMost(text: string, maxSegments: number): string[] {
  const segments: string[] = [];
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('&', start);
    const stop = end === -1 ? text.length : end;
    if (stop > start) {
      if (segments.length === maxSegments) throw new KmsError('RequestTooLarge');
      segments.push(text.slice(start, stop));
    }
    start = stop + 1;
  }
  return segments;
}

function decodeComponent(raw: string, source: string): string {
  const spaced = raw.includes('+') ? raw.replaceAll('+', ' ') : raw;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new KmsError('InvalidInput', source);
  }
}

/** Splits a request target into its path and its decoded query pairs (at most `maxPairs`). */
export function splitRequestTarget(url: string, maxPairs = MAX_PARAMETERS): { path: string; query: ParamPairs } {
  const questionMark = url.indexOf('?');
  if (questionMark === -1) return { path: url, query: [] };
  return { path: url.slice(0, questionMark), query: decodeUrlEncoded(url.slice(questionMark + 1), 'QueryString', maxPairs) };
}

/** All parameters by name; a name given twice (in the query, the body or both) is refused. */
export function mergeParameters(...sources: ParamPairs[]): Map<string, string> {
  const merged = new Map<string, string>();
  for (const pairs of sources) {
    for (const [name, value] of pairs) {
      if (merged.has(name)) throw new KmsError('InvalidInput', name);
      merged.set(name, value);
    }
  }
  return merged;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A form body as text (at most `maxPairs` pairs); bytes that are not UTF-8 are refused, never replaced. */
export function decodeFormBody(body: Buffer, maxPairs = MAX_PARAMETERS): ParamPairs {
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    throw new KmsError('InvalidInput', 'Body');
  }
  return decodeUrlEncoded(text, 'Body', maxPairs);
}

export function isFormContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.toLowerCase().startsWith('application/x-www-form-urlencoded');
}
