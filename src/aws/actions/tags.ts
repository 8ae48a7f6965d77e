import { KmsError } from '../../domain/errors.js';
import type { Tag } from '../../domain/key.js';

/**
 * AWS's own tag rules, before Arca's (src/domain/tags.ts, which are Alibaba's and also apply, so
 * one key's tags are valid in both APIs): keys not starting with `aws:` in any case, no key twice.
 * Either refusal is a TagException.
 */
export function assertAwsTags(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const { tagKey } of tags) {
    if (tagKey.toLowerCase().startsWith('aws:') || seen.has(tagKey)) throw new KmsError('InvalidInput', 'tags');
    seen.add(tagKey);
  }
}

export function awsTags(tags: readonly Tag[]): Array<{ TagKey: string; TagValue: string }> {
  return tags.map(({ tagKey, tagValue }) => ({ TagKey: tagKey, TagValue: tagValue }));
}
