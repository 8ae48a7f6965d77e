import { KmsError } from '../../domain/errors.js';
import { setDeletionProtection } from '../../operations/set-deletion-protection.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

/** The key comes from KeyId (newer SDKs) or ProtectedResourceArn (older docs); one is needed. */
export const setDeletionProtectionAction = wireAction({
  action: 'SetDeletionProtection',
  operation: setDeletionProtection,
  parse: (params) => {
    const name = params.optional('KeyId') ? 'KeyId' : 'ProtectedResourceArn';
    if (!params.optional(name)) throw new KmsError('MissingInput', 'ProtectedResourceArn');
    return {
      key: params.keyReference(name),
      enableDeletionProtection: params.requiredBoolean('EnableDeletionProtection'),
      deletionProtectionDescription: params.optional('DeletionProtectionDescription'),
    };
  },
  respond: emptyBody,
});
