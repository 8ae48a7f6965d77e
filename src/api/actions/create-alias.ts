import { createAlias } from '../../operations/create-alias.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const createAliasAction = wireAction({
  action: 'CreateAlias',
  operation: createAlias,
  parse: (params) => ({ aliasName: params.required('AliasName'), key: params.keyReference('KeyId') }),
  respond: emptyBody,
});
