import { importKeyMaterial } from '../../operations/import-key-material.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

export const importKeyMaterialAction = wireAction({
  action: 'ImportKeyMaterial',
  operation: importKeyMaterial,
  parse: (params) => ({
    keyId: params.required('KeyId'),
    encryptedKeyMaterial: params.required('EncryptedKeyMaterial'),
    importToken: params.required('ImportToken'),
    // The metadata marks it required; the docs say absent, like 0, means never.
    keyMaterialExpireUnix: params.optionalInteger('KeyMaterialExpireUnix') ?? 0,
  }),
  respond: emptyBody,
});
