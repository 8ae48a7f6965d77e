import { listKeyVersions } from '../../operations/list-key-versions.js';
import { keyVersionBody, pageFields } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const listKeyVersionsAction = wireAction({
  action: 'ListKeyVersions',
  operation: listKeyVersions,
  parse: (params) => ({ key: params.keyReference('KeyId'), page: params.page() }),
  respond: (result) => ({ KeyVersions: { KeyVersion: result.items.map(keyVersionBody) }, ...pageFields(result) }),
});
