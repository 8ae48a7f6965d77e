import type { ConditionValues } from './conditions.js';

/**
 * What a request tells the condition keys, in neutral terms. The runner fills it from the front
 * end's facts (address, transport) and from the resource (the key's tags, the encryption
 * context the request names); which keys an action carries is the action table's business.
 */
export interface RequestConditions {
  /** `acs:SourceIp`: the caller's address (the TCP peer, or X-Forwarded-For from a trusted proxy). */
  readonly sourceIp: string | undefined;
  /** `acs:CurrentTime`: when the request is evaluated, in milliseconds since the epoch. */
  readonly currentTime: number;
  /** `acs:SecureTransport`: whether the request came over TLS. */
  readonly secureTransport: boolean;
  /** `kms:tag/<TagKey>`: the key's tags, for the actions that carry them; undefined otherwise. */
  readonly tags: readonly { readonly tagKey: string; readonly tagValue: string }[] | undefined;
  /** `kms:EncryptionContext:<key>`: the encryption context the request names, for the actions that take one. */
  readonly encryptionContext: ReadonlyMap<string, string> | undefined;
  /** `kms:EncryptionAlgorithm`, for the cryptographic actions. */
  readonly encryptionAlgorithm: string | undefined;
}

const TAG_PREFIX = 'kms:tag/';
const CONTEXT_PREFIX = 'kms:encryptioncontext:';

/**
 * The condition keys of a request. Key names compare without regard to case, the tag key and
 * context key inside them included (`kms:tag/Team` reads the tag `team` too): every value whose
 * name matches is the key's value.
 */
export function conditionValuesOf(conditions: RequestConditions): ConditionValues {
  return {
    valuesOf(key: string): readonly string[] | undefined {
      switch (key) {
        case 'acs:sourceip':
          return conditions.sourceIp === undefined ? undefined : [conditions.sourceIp];
        case 'acs:currenttime':
          return [new Date(conditions.currentTime).toISOString()];
        case 'acs:securetransport':
          return [String(conditions.secureTransport)];
        case 'kms:encryptionalgorithm':
          return conditions.encryptionAlgorithm === undefined ? undefined : [conditions.encryptionAlgorithm];
      }
      if (key.startsWith(TAG_PREFIX)) return tagValues(conditions, key.slice(TAG_PREFIX.length));
      if (key.startsWith(CONTEXT_PREFIX)) return contextValues(conditions, key.slice(CONTEXT_PREFIX.length));
      // A key Arca's requests never carry (acs:SourceVpc, another service's keys): absent.
      return undefined;
    },
  };
}

function tagValues(conditions: RequestConditions, lowerTagKey: string): readonly string[] | undefined {
  const values = (conditions.tags ?? []).filter((tag) => tag.tagKey.toLowerCase() === lowerTagKey).map((tag) => tag.tagValue);
  return values.length === 0 ? undefined : values;
}

function contextValues(conditions: RequestConditions, lowerContextKey: string): readonly string[] | undefined {
  const values = [...(conditions.encryptionContext ?? new Map<string, string>())]
    .filter(([name]) => name.toLowerCase() === lowerContextKey)
    .map(([, value]) => value);
  return values.length === 0 ? undefined : values;
}
