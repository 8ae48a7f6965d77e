import { getUser } from '../../../operations/ram/get-user.js';
import { wireAction } from '../../wire-action.js';
import { userBody } from '../ram-shapes.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-getuser
export const getUserAction = wireAction({
  action: 'GetUser',
  operation: getUser,
  parse: (params) => ({ userName: params.required('UserName') }),
  respond: (user) => ({ User: userBody(user) }),
});
