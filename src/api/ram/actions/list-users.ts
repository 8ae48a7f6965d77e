import { listUsers } from '../../../operations/ram/list-users.js';
import { wireAction } from '../../wire-action.js';
import { maxItemsOf } from '../ram-params.js';
import { pagingBody, userBody } from '../ram-shapes.js';

// https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-listusers
export const listUsersAction = wireAction({
  action: 'ListUsers',
  operation: listUsers,
  parse: (params) => {
    const marker = params.optional('Marker');
    return { maxItems: maxItemsOf(params), ...(marker ? { marker } : {}) };
  },
  respond: ({ items, marker }) => ({ Users: { User: items.map(userBody) }, ...pagingBody(marker) }),
});
