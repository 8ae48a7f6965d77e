import { KmsError } from '../../domain/errors.js';
import { importKeyMaterial } from '../../operations/import-key-material.js';
import { awsAction, resolvedKeyId } from '../aws-action.js';
import { awsKeyArn } from '../aws-arn.js';
import type { AwsParams } from '../aws-params.js';

export const importKeyMaterialAwsAction = awsAction({
  name: 'ImportKeyMaterial',
  actions: [importKeyMaterial.action],
  run: async (params, context) => {
    const key = params.keyReference('KeyId', 'key-only');
    const importToken = params.requiredBlob('ImportToken');
    const encryptedKeyMaterial = params.requiredBlob('EncryptedKeyMaterial');
    // Arca's keys have one material each (a re-import must bring the same): only NEW_KEY_MATERIAL
    // into a key that had none, or the same material again, which AWS calls EXISTING_KEY_MATERIAL.
    const importType = params.optionalString('ImportType');
    if (importType !== undefined && importType !== 'NEW_KEY_MATERIAL' && importType !== 'EXISTING_KEY_MATERIAL') {
      throw new KmsError('InvalidInput', 'importType');
    }
    params.refuse('KeyMaterialId');
    params.refuse('KeyMaterialDescription');
    const keyMaterialExpireUnix = expireUnixOf(params);
    await context.execute(importKeyMaterial, { key, importToken, encryptedKeyMaterial, keyMaterialExpireUnix });
    const imported = context.resolvedKey('key');
    return {
      KeyId: awsKeyArn(context.scope, resolvedKeyId(context)),
      ...(imported?.keyVersionId === undefined ? {} : { KeyMaterialId: imported.keyVersionId }),
    };
  },
});

/**
 * ExpirationModel KEY_MATERIAL_EXPIRES (AWS's default) needs ValidTo; KEY_MATERIAL_DOES_NOT_EXPIRE
 * forbids it. The operation takes whole seconds, 0 for never; a fraction of a second is dropped.
 */
function expireUnixOf(params: AwsParams): number {
  const model = params.optionalString('ExpirationModel') ?? 'KEY_MATERIAL_EXPIRES';
  const validTo = params.optionalEpochSeconds('ValidTo');
  if (model === 'KEY_MATERIAL_DOES_NOT_EXPIRE') {
    if (validTo !== undefined) throw new KmsError('InvalidInput', 'validTo');
    return 0;
  }
  if (model !== 'KEY_MATERIAL_EXPIRES') throw new KmsError('InvalidInput', 'expirationModel');
  if (validTo === undefined) throw new KmsError('MissingInput', 'validTo');
  return Math.floor(validTo);
}
