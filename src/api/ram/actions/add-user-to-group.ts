import { addUserToGroup } from '../../../operations/ram/add-user-to-group.js';
import { wireAction } from '../../wire-action.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-addusertogroup
export const addUserToGroupAction = wireAction({
  action: 'AddUserToGroup',
  operation: addUserToGroup,
  parse: (params) => ({ userName: params.required('UserName'), groupName: params.required('GroupName') }),
  respond: () => ({}),
});
