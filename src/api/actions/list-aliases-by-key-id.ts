import { listAliasesByKeyId } from '../../operations/list-aliases-by-key-id.js';
import { aliasesBody, pageFields } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const listAliasesByKeyIdAction = wireAction({
  action: 'ListAliasesByKeyId',
  operation: listAliasesByKeyId,
  parse: (params) => ({ key: params.keyReference('KeyId'), page: params.page() }),
  respond: (result, scope) => ({ ...aliasesBody(result.items, scope), ...pageFields(result) }),
});
