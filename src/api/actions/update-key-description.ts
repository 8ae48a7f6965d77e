import { updateKeyDescription } from '../../operations/update-key-description.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const updateKeyDescriptionAction = wireAction({
  action: 'UpdateKeyDescription',
  operation: updateKeyDescription,
  parse: (params) => ({ key: params.keyReference('KeyId'), description: params.required('Description') }),
  respond: emptyBody,
});
