import { KmsError } from '../domain/errors.js';

export type ParamPairs = ReadonlyArray<readonly [string, string]>;

/**
 * Decodes `a=1&b=x%20y` into pairs, in order. `+` is a space (form encoding); malformed
 * percent-encoding is refused, never guessed at, because the signature is computed over the
 * decoded values.
 */
export function decodeUrlEncoded(text: string, source: string): ParamPairs {
  if (text === '') return [];
  const pairs: Array<readonly [string, string]> = [];
  for (const segment of text.split('&')) {
    if (segment === '') continue;
    const equals = segment.indexOf('=');
    const rawName = equals === -1 ? segment : segment.slice(0, equals);
    const rawValue = equals === -1 ? '' : segment.slice(equals + 1);
    pairs.push([decodeComponent(rawName, source), decodeComponent(rawValue, source)]);
  }
  return pairs;
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

/** Splits a request target into its path and its decoded query pairs. */
export function splitRequestTarget(url: string): { path: string; query: ParamPairs } {
  const questionMark = url.indexOf('?');
  if (questionMark === -1) return { path: url, query: [] };
  return { path: url.slice(0, questionMark), query: decodeUrlEncoded(url.slice(questionMark + 1), 'QueryString') };
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

/** A form body as text; bytes that are not UTF-8 are refused, never replaced. */
export function decodeFormBody(body: Buffer): ParamPairs {
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    throw new KmsError('InvalidInput', 'Body');
  }
  return decodeUrlEncoded(text, 'Body');
}

export function isFormContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.toLowerCase().startsWith('application/x-www-form-urlencoded');
}
