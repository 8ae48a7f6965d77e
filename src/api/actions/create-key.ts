import { KmsError } from '../../domain/errors.js';
import type { Tag } from '../../domain/key.js';
import { createKey } from '../../operations/create-key.js';
import { keyMetadata } from '../shapes.js';
import { wireAction } from '../wire-action.js';
import type { WireParams } from '../wire-params.js';

export const createKeyAction = wireAction({
  action: 'CreateKey',
  operation: createKey,
  parse: (params) => ({
    keySpec: params.optional('KeySpec') || undefined,
    keyUsage: params.optional('KeyUsage') || undefined,
    origin: params.optional('Origin') || undefined,
    protectionLevel: params.optional('ProtectionLevel') || undefined,
    description: params.optional('Description'),
    enableAutomaticRotation: params.optionalBoolean('EnableAutomaticRotation'),
    rotationInterval: params.optional('RotationInterval') || undefined,
    tags: parseTagList(params, 'Tags'),
  }),
  respond: (key, scope) => ({ KeyMetadata: keyMetadata(key, scope) }),
});

/** `Tags=[{"TagKey":"k","TagValue":"v"}]`, as CreateKey and TagResource take them. */
export function parseTagList(params: WireParams, name: string): Tag[] {
  const parsed = params.optionalJson(name);
  if (parsed === undefined) return [];
  if (!Array.isArray(parsed)) throw new KmsError('InvalidParameter', name);
  return parsed.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) throw new KmsError('InvalidParameter', name);
    const { TagKey: tagKey, TagValue: tagValue } = entry as Record<string, unknown>;
    if (typeof tagKey !== 'string' || typeof tagValue !== 'string') throw new KmsError('InvalidParameter', name);
    return { tagKey, tagValue };
  });
}
