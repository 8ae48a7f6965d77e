import { KmsError } from '../../domain/errors.js';
import type { KeyReference } from '../../domain/key-reference.js';
import { tagResource } from '../../operations/tag-resource.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';
import type { WireParams } from '../wire-params.js';
import { parseTagList } from './create-key.js';

export const tagResourceAction = wireAction({
  action: 'TagResource',
  operation: tagResource,
  parse: (params) => ({ key: taggedKey(params), tags: requiredTags(params) }),
  respond: emptyBody,
});

/** The old tag actions address one of a key, a secret or a certificate; Arca holds only keys. */
export function taggedKey(params: WireParams): KeyReference {
  for (const name of ['SecretName', 'CertificateId']) {
    if (params.optional(name)) throw new KmsError('InvalidInput', name);
  }
  return params.keyReference('KeyId');
}

function requiredTags(params: WireParams) {
  params.required('Tags');
  return parseTagList(params, 'Tags');
}
