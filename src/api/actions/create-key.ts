import { KmsError } from '../../domain/errors.js';
import type { Tag } from '../../domain/key.js';
import { createKey } from '../../operations/create-key.js';
import { keyMetadata } from '../shapes.js';
import { WIRE_KEY_SPECS, WIRE_KEY_USAGES, WIRE_ORIGINS, WIRE_PROTECTION_LEVELS } from '../wire-values.js';
import { wireAction } from '../wire-action.js';
import type { WireParams } from '../wire-params.js';

export const createKeyAction = wireAction({
  action: 'CreateKey',
  operation: createKey,
  parse: (params) => ({
    keySpec: params.optionalOneOf('KeySpec', WIRE_KEY_SPECS),
    keyUsage: params.optionalOneOf('KeyUsage', WIRE_KEY_USAGES),
    origin: params.optionalOneOf('Origin', WIRE_ORIGINS),
    protectionLevel: params.optionalOneOf('ProtectionLevel', WIRE_PROTECTION_LEVELS),
    description: params.optional('Description'),
    enableAutomaticRotation: params.optionalBoolean('EnableAutomaticRotation'),
    rotationIntervalSeconds: params.optionalDurationSeconds('RotationInterval'),
    tags: parseTagList(params, 'Tags'),
  }),
  respond: (key, scope) => ({ KeyMetadata: keyMetadata(key, scope) }),
});

/** `Tags=[{"TagKey":"k","TagValue":"v"}]`, as CreateKey and TagResource take them. */
export function parseTagList(params: WireParams, name: string): Tag[] {
  const parsed = params.optionalJson(name);
  if (parsed === undefined) return [];
  if (!Array.isArray(parsed)) throw new KmsError('InvalidInput', name);
  return parsed.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) throw new KmsError('InvalidInput', name);
    const { TagKey: tagKey, TagValue: tagValue } = entry as Record<string, unknown>;
    if (typeof tagKey !== 'string' || typeof tagValue !== 'string') throw new KmsError('InvalidInput', name);
    return { tagKey, tagValue };
  });
}
