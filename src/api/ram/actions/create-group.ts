import { createGroup } from '../../../operations/ram/create-group.js';
import { wireAction } from '../../wire-action.js';
import { textOf } from '../ram-params.js';
import { groupBody } from '../ram-shapes.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-creategroup
export const createGroupAction = wireAction({
  action: 'CreateGroup',
  operation: createGroup,
  parse: (params) => ({ groupName: params.required('GroupName'), comments: textOf(params, 'Comments') }),
  respond: (group) => ({ Group: groupBody(group) }),
});
