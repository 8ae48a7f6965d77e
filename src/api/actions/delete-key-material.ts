import { deleteKeyMaterial } from '../../operations/delete-key-material.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const deleteKeyMaterialAction = wireAction({
  action: 'DeleteKeyMaterial',
  operation: deleteKeyMaterial,
  parse: (params) => ({ key: params.keyReference('KeyId') }),
  respond: emptyBody,
});
