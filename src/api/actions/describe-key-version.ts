import { describeKeyVersion } from '../../operations/describe-key-version.js';
import { keyVersionBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const describeKeyVersionAction = wireAction({
  action: 'DescribeKeyVersion',
  operation: describeKeyVersion,
  parse: (params) => ({ key: params.keyReference('KeyId'), keyVersionId: params.required('KeyVersionId') }),
  respond: (version) => ({ KeyVersion: keyVersionBody(version) }),
});
