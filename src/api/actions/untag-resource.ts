import { KmsError } from '../../domain/errors.js';
import { untagResource } from '../../operations/untag-resource.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';
import type { WireParams } from '../wire-params.js';
import { taggedKey } from './tag-resource.js';

export const untagResourceAction = wireAction({
  action: 'UntagResource',
  operation: untagResource,
  parse: (params) => ({ key: taggedKey(params), tagKeys: parseTagKeys(params) }),
  respond: emptyBody,
});

/** `TagKeys=["k1","k2"]`. */
function parseTagKeys(params: WireParams): string[] {
  params.required('TagKeys');
  const parsed = params.optionalJson('TagKeys');
  if (!Array.isArray(parsed) || !parsed.every((key) => typeof key === 'string')) {
    throw new KmsError('InvalidInput', 'TagKeys');
  }
  return parsed;
}
