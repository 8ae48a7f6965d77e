import { listGroupsForUser } from '../../../operations/ram/list-groups-for-user.js';
import { wireAction } from '../../wire-action.js';
import { membershipBody } from '../ram-shapes.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-listgroupsforuser
export const listGroupsForUserAction = wireAction({
  action: 'ListGroupsForUser',
  operation: listGroupsForUser,
  parse: (params) => ({ userName: params.required('UserName') }),
  respond: (memberships) => ({ Groups: { Group: memberships.map(membershipBody) } }),
});
