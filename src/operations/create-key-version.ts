import { KmsError } from '../domain/errors.js';
import type { KeyVersion } from '../domain/key.js';
import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import { defineOperation, resource } from './operation.js';

export interface CreateKeyVersionInput {
  readonly key: KeyReference;
}

export type KeyVersionSummary = Pick<KeyVersion, 'keyId' | 'keyVersionId' | 'creationDate'>;

/** Manual rotation: a new primary version; every earlier version keeps decrypting. */
export const createKeyVersion = defineOperation({
  action: 'CreateKeyVersion',
  resources: (input: CreateKeyVersionInput) => ({ key: resource.key(input.key, StateRule.UseKey) }),
  run: async (context, _input, { key }): Promise<KeyVersionSummary> => {
    const rotated = await context.keys.rotate(key);
    if (!rotated) throw new KmsError('ConcurrentModification');
    context.recordKeyVersion('key', rotated.primaryKeyVersionId);
    return { keyId: rotated.keyId, keyVersionId: rotated.primaryKeyVersionId, creationDate: rotated.lastRotationDate };
  },
});
