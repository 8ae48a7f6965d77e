import { updateAlias } from '../../operations/update-alias.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const updateAliasAction = wireAction({
  action: 'UpdateAlias',
  operation: updateAlias,
  parse: (params) => ({ aliasName: params.required('AliasName'), key: params.keyReference('KeyId') }),
  respond: emptyBody,
});
