import { describeAccountKmsStatus } from '../../operations/describe-account-kms-status.js';
import { wireAction } from '../wire-action.js';

export const describeAccountKmsStatusAction = wireAction({
  action: 'DescribeAccountKmsStatus',
  operation: describeAccountKmsStatus,
  parse: () => undefined,
  respond: (status) => ({ AccountStatus: status }),
});
