import { deleteAlias } from '../../operations/delete-alias.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const deleteAliasAction = wireAction({
  action: 'DeleteAlias',
  operation: deleteAlias,
  parse: (params) => ({ aliasName: params.required('AliasName') }),
  respond: emptyBody,
});
