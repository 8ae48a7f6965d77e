import { KmsError } from './errors.js';
import type { Tag } from './key.js';

export const MAX_TAGS_PER_KEY = 20;
const MAX_TAG_PART_LENGTH = 128;

/** Alibaba's tag rules: key 1–128 characters, value up to 128, keys not `aliyun…` or `acs:…`. */
export function assertValidTags(tags: readonly Tag[], parameter: string): void {
  const keys = new Set<string>();
  for (const { tagKey, tagValue } of tags) {
    const valid =
      tagKey.length >= 1 &&
      tagKey.length <= MAX_TAG_PART_LENGTH &&
      tagValue.length <= MAX_TAG_PART_LENGTH &&
      !tagKey.startsWith('aliyun') &&
      !tagKey.startsWith('acs:') &&
      !keys.has(tagKey);
    if (!valid) throw new KmsError('InvalidInput', parameter);
    keys.add(tagKey);
  }
}

/** Adds or overwrites tags by key; refuses a result over the per-key limit. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(existing.map((tag) => [tag.tagKey, tag.tagValue]));
  for (const { tagKey, tagValue } of added) byKey.set(tagKey, tagValue);
  if (byKey.size > MAX_TAGS_PER_KEY) throw new KmsError('LimitExceeded', 'tags per key');
  return [...byKey].map(([tagKey, tagValue]) => ({ tagKey, tagValue }));
}

export function removeTags(existing: readonly Tag[], tagKeys: readonly string[]): Tag[] {
  const removed = new Set(tagKeys);
  return existing.filter((tag) => !removed.has(tag.tagKey));
}
