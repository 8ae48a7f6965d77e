import { describeKey } from '../../operations/describe-key.js';
import { keyMetadata } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const describeKeyAction = wireAction({
  action: 'DescribeKey',
  operation: describeKey,
  parse: (params) => ({ key: params.keyReference('KeyId') }),
  respond: (key, scope) => ({ KeyMetadata: keyMetadata(key, scope) }),
});
