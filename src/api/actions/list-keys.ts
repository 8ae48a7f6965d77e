import { keyArn } from '../../domain/arn.js';
import { KmsError } from '../../domain/errors.js';
import type { KeyFilter } from '../../domain/ports.js';
import { listKeys } from '../../operations/list-keys.js';
import { pageFields } from '../shapes.js';
import { WIRE_KEY_SPECS, WIRE_KEY_STATES, WIRE_KEY_USAGES, WIRE_PROTECTION_LEVELS } from '../wire-values.js';
import { wireAction } from '../wire-action.js';
import type { WireParams } from '../wire-params.js';

const MAX_FILTERS = 10;
/** Filter keys Arca understands, mapped to KeyFilter fields. */
const FILTER_FIELDS = {
  KeyState: 'keyState',
  KeySpec: 'keySpec',
  KeyUsage: 'keyUsage',
  ProtectionLevel: 'protectionLevel',
} as const satisfies Record<string, keyof KeyFilter>;

/** Filter keys whose values are taken as given: a key matches when one of its tags has one. */
const TAG_FILTER_FIELDS = { TagKey: 'tagKey', TagValue: 'tagValue' } as const satisfies Record<string, keyof KeyFilter>;

/** Each enumerated filter field's wire values, mapped to Arca's. */
const FILTER_VALUES: Readonly<Record<(typeof FILTER_FIELDS)[keyof typeof FILTER_FIELDS], Readonly<Record<string, string>>>> = {
  keyState: WIRE_KEY_STATES,
  keySpec: WIRE_KEY_SPECS,
  keyUsage: WIRE_KEY_USAGES,
  protectionLevel: WIRE_PROTECTION_LEVELS,
};

export const listKeysAction = wireAction({
  action: 'ListKeys',
  operation: listKeys,
  parse: (params) => ({ filter: parseFilters(params), page: params.page() }),
  respond: (result, scope) => ({
    Keys: { Key: result.items.map((key) => ({ KeyId: key.keyId, KeyArn: keyArn(scope, key.keyId) })) },
    ...pageFields(result),
  }),
});

/**
 * `Filters=[{"Key":"KeyState","Values":["Enabled","Disabled"]}]`: AND across keys, OR within
 * Values. `TagKey` and `TagValue` (Alibaba's newer filter keys) each match a key with a tag of
 * that key or value. `CreatorType` is accepted: every key here is a user's, so `User` matches all keys and
 * `Service` none.
 */
function parseFilters(params: WireParams): KeyFilter {
  const parsed = params.optionalJson('Filters');
  if (parsed === undefined) return {};
  if (!Array.isArray(parsed) || parsed.length > MAX_FILTERS) throw new KmsError('InvalidInput', 'Filters');
  // An unknown state or spec simply matches no key: it maps to nothing.
  const filter: { -readonly [Field in keyof KeyFilter]?: string[] } = {};
  for (const entry of parsed) {
    const { key, values } = filterEntry(entry);
    if (key === 'CreatorType') {
      if (!values.includes('User')) filter.keyState = [];
      continue;
    }
    if (Object.hasOwn(TAG_FILTER_FIELDS, key)) {
      const field = TAG_FILTER_FIELDS[key as keyof typeof TAG_FILTER_FIELDS];
      filter[field] = filter[field] ? filter[field].filter((v) => values.includes(v)) : values;
      continue;
    }
    if (!Object.hasOwn(FILTER_FIELDS, key)) throw new KmsError('InvalidInput', 'Filters');
    const field = FILTER_FIELDS[key as keyof typeof FILTER_FIELDS];
    const table = FILTER_VALUES[field];
    const known = values.flatMap((value) => (Object.hasOwn(table, value) && table[value] !== undefined ? [table[value]] : []));
    filter[field] = filter[field] ? filter[field].filter((v) => known.includes(v)) : known;
  }
  return filter as KeyFilter;
}

function filterEntry(entry: unknown): { key: string; values: string[] } {
  if (typeof entry !== 'object' || entry === null) throw new KmsError('InvalidInput', 'Filters');
  const { Key: key, Values: values } = entry as Record<string, unknown>;
  const valid = typeof key === 'string' && Array.isArray(values) && values.every((v) => typeof v === 'string');
  if (!valid) throw new KmsError('InvalidInput', 'Filters');
  return { key, values };
}
