import { KmsError } from '../../domain/errors.js';
import { isCanonicalBase64 } from '../base64.js';
import { importKeyMaterial } from '../../operations/import-key-material.js';
import { emptyBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

function base64OrRefuse(text: string, refusal: 'InvalidKeyMaterial' | 'InvalidImportToken'): Buffer {
  if (!isCanonicalBase64(text)) throw new KmsError(refusal);
  return Buffer.from(text, 'base64');
}

export const importKeyMaterialAction = wireAction({
  action: 'ImportKeyMaterial',
  operation: importKeyMaterial,
  parse: (params) => ({
    key: params.keyReference('KeyId'),
    // Text that is not base64 is material that does not unwrap, and a token this server never made.
    encryptedKeyMaterial: base64OrRefuse(params.required('EncryptedKeyMaterial'), 'InvalidKeyMaterial'),
    importToken: base64OrRefuse(params.required('ImportToken'), 'InvalidImportToken'),
    // The metadata marks it required; the docs say absent, like 0, means never.
    keyMaterialExpireUnix: params.optionalInteger('KeyMaterialExpireUnix') ?? 0,
  }),
  respond: emptyBody,
});
