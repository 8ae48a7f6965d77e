import { deleteAccessKey } from '../../../operations/ram/delete-access-key.js';
import { wireAction } from '../../wire-action.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-deleteaccesskey
export const deleteAccessKeyAction = wireAction({
  action: 'DeleteAccessKey',
  operation: deleteAccessKey,
  parse: (params) => ({ userName: params.required('UserName'), accessKeyId: params.required('UserAccessKeyId') }),
  respond: () => ({}),
});
