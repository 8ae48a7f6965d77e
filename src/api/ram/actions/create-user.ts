import { createUser } from '../../../operations/ram/create-user.js';
import { wireAction } from '../../wire-action.js';
import { textOf } from '../ram-params.js';
import { userBody } from '../ram-shapes.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-createuser
export const createUserAction = wireAction({
  action: 'CreateUser',
  operation: createUser,
  parse: (params) => ({
    userName: params.required('UserName'),
    displayName: textOf(params, 'DisplayName'),
    email: textOf(params, 'Email'),
    mobilePhone: textOf(params, 'MobilePhone'),
    comments: textOf(params, 'Comments'),
  }),
  respond: (user) => ({ User: userBody(user) }),
});
