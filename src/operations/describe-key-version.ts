import { KmsError } from '../domain/errors.js';
import { StateRule } from '../domain/key-state.js';
import type { KeyVersionSummary } from './create-key-version.js';
import { useKey } from './key-access.js';
import { defineOperation } from './operation.js';

export interface DescribeKeyVersionInput {
  readonly keyId: string;
  readonly keyVersionId: string;
}

export const describeKeyVersion = defineOperation(
  'DescribeKeyVersion',
  async (context, input: DescribeKeyVersionInput): Promise<KeyVersionSummary> => {
    const key = await useKey(context, input.keyId, 'DescribeKeyVersion', StateRule.AnyState);
    const version = await context.keys.store.getKeyVersion(input.keyVersionId);
    if (!version || version.keyId !== key.keyId) throw new KmsError('ForbiddenKeyVersionNotFound');
    context.audit.keyVersionId = version.keyVersionId;
    return { keyId: version.keyId, keyVersionId: version.keyVersionId, creationDate: version.creationDate };
  },
);
