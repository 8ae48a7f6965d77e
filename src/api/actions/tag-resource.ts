import { KmsError } from '../../domain/errors.js';
import { tagResource } from '../../operations/tag-resource.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';
import type { WireParams } from '../wire-params.js';
import { parseTagList } from './create-key.js';

export const tagResourceAction = wireAction({
  action: 'TagResource',
  operation: tagResource,
  parse: (params) => ({ keyId: taggedKeyId(params), tags: requiredTags(params) }),
  respond: emptyBody,
});

/** The old tag actions address one of a key, a secret or a certificate; Arca holds only keys. */
export function taggedKeyId(params: WireParams): string {
  for (const name of ['SecretName', 'CertificateId']) {
    if (params.optional(name)) throw new KmsError('InvalidParameter', name);
  }
  return params.required('KeyId');
}

function requiredTags(params: WireParams) {
  params.required('Tags');
  return parseTagList(params, 'Tags');
}
