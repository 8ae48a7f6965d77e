import { listAliases } from '../../operations/list-aliases.js';
import { aliasesBody, pageFields } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const listAliasesAction = wireAction({
  action: 'ListAliases',
  operation: listAliases,
  parse: (params) => ({ page: params.page() }),
  respond: (result, scope) => ({ ...aliasesBody(result.items, scope), ...pageFields(result) }),
});
