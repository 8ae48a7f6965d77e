import { deleteUser } from '../../../operations/ram/delete-user.js';
import { wireAction } from '../../wire-action.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-deleteuser
export const deleteUserAction = wireAction({
  action: 'DeleteUser',
  operation: deleteUser,
  parse: (params) => ({ userName: params.required('UserName') }),
  respond: () => ({}),
});
