import { removeUserFromGroup } from '../../../operations/ram/remove-user-from-group.js';
import { wireAction } from '../../wire-action.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-removeuserfromgroup
export const removeUserFromGroupAction = wireAction({
  action: 'RemoveUserFromGroup',
  operation: removeUserFromGroup,
  parse: (params) => ({ userName: params.required('UserName'), groupName: params.required('GroupName') }),
  respond: () => ({}),
});
