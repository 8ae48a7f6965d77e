import type { Key } from '../domain/key.js';
import { StateRule } from '../domain/key-state.js';
import { useKey } from './key-access.js';
import { defineOperation } from './operation.js';

export interface DescribeKeyInput {
  readonly keyId: string;
}

export const describeKey = defineOperation('DescribeKey', async (context, input: DescribeKeyInput): Promise<Key> =>
  useKey(context, input.keyId, 'DescribeKey', StateRule.AnyState),
);
