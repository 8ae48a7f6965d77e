import { updateUser } from '../../../operations/ram/update-user.js';
import { wireAction } from '../../wire-action.js';
import { replacementOf } from '../ram-params.js';
import { userBody } from '../ram-shapes.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-updateuser
export const updateUserAction = wireAction({
  action: 'UpdateUser',
  operation: updateUser,
  parse: (params) => {
    const newUserName = params.optional('NewUserName');
    const displayName = replacementOf(params, 'NewDisplayName');
    const email = replacementOf(params, 'NewEmail');
    const mobilePhone = replacementOf(params, 'NewMobilePhone');
    const comments = replacementOf(params, 'NewComments');
    return {
      userName: params.required('UserName'),
      ...(newUserName ? { newUserName } : {}),
      ...(displayName === undefined ? {} : { displayName }),
      ...(email === undefined ? {} : { email }),
      ...(mobilePhone === undefined ? {} : { mobilePhone }),
      ...(comments === undefined ? {} : { comments }),
    };
  },
  respond: (user) => ({ User: userBody(user) }),
});
