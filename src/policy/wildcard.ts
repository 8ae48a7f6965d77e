/**
 * RAM's wildcards: `*` matches any run of characters (the empty one too), `?` exactly one; every
 * other character stands for itself. Actions compare without regard to case, resources and
 * condition values with it.
 */
export type WildcardMatcher = (text: string) => boolean;

export function wildcardMatcher(pattern: string, options: { readonly ignoreCase: boolean }): WildcardMatcher {
  if (pattern === '*') return () => true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    if (!options.ignoreCase) return (text) => text === pattern;
    const lower = pattern.toLowerCase();
    return (text) => text.length === pattern.length && text.toLowerCase() === lower;
  }
  const source = Array.from(pattern)
    .map((character) => (character === '*' ? '.*' : character === '?' ? '.' : escapeRegExp(character)))
    .join('');
  // `s`: a `*` or `?` matches a line break too; `u`: `?` is one code point, not one UTF-16 unit.
  const regexp = new RegExp(`^${source}$`, options.ignoreCase ? 'isu' : 'su');
  return (text) => regexp.test(text);
}

function escapeRegExp(character: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(character) ? `\\${character}` : character;
}
