import type { Key } from '../domain/key.js';
import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import { defineOperation, resource } from './operation.js';

export interface DescribeKeyInput {
  readonly key: KeyReference;
}

export const describeKey = defineOperation({
  action: 'DescribeKey',
  resources: (input: DescribeKeyInput) => ({ key: resource.key(input.key, StateRule.AnyState) }),
  run: (_context, _input, { key }): Promise<Key> => Promise.resolve(key),
});
