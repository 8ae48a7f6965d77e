import { KmsError } from '../domain/errors.js';
import type { KeyVersion } from '../domain/key.js';
import { StateRule } from '../domain/key-state.js';
import { useKey } from './key-access.js';
import { defineOperation } from './operation.js';
import { addKeyVersion } from './rotation.js';

export interface CreateKeyVersionInput {
  readonly keyId: string;
}

export type KeyVersionSummary = Pick<KeyVersion, 'keyId' | 'keyVersionId' | 'creationDate'>;

/** Manual rotation: a new primary version; every earlier version keeps decrypting. */
export const createKeyVersion = defineOperation(
  'CreateKeyVersion',
  async (context, input: CreateKeyVersionInput): Promise<KeyVersionSummary> => {
    const key = await useKey(context, input.keyId, 'CreateKeyVersion', StateRule.UseKey);
    const rotated = await addKeyVersion(context.keys, context.clock, key);
    if (!rotated) throw new KmsError('RejectedConcurrentModification');
    context.audit.keyVersionId = rotated.primaryKeyVersionId;
    return { keyId: rotated.keyId, keyVersionId: rotated.primaryKeyVersionId, creationDate: rotated.lastRotationDate };
  },
);
