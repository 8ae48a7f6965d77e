import { KmsError } from '../../domain/errors.js';
import { describeKey } from '../../operations/describe-key.js';
import { reEncrypt } from '../../operations/re-encrypt.js';
import { awsAction } from '../aws-action.js';
import { awsKeyArn } from '../aws-arn.js';
import { base64 } from '../aws-shapes.js';
import { assertSymmetricAlgorithm, SYMMETRIC_DEFAULT } from '../aws-values.js';
import { keyIdOf } from './decrypt.js';

export const reEncryptAwsAction = awsAction({
  name: 'ReEncrypt',
  actions: [reEncrypt.action, describeKey.action],
  run: async (params, context) => {
    const ciphertextBlob = params.ciphertextBlob('CiphertextBlob');
    const sourceEncryptionContext = params.encryptionContext('SourceEncryptionContext');
    const destinationKey = params.keyReference('DestinationKeyId', 'key-or-alias');
    const destinationEncryptionContext = params.encryptionContext('DestinationEncryptionContext');
    const namedSource = params.optionalKeyReference('SourceKeyId', 'key-or-alias');
    assertSymmetricAlgorithm(params.optionalString('SourceEncryptionAlgorithm'), 'sourceEncryptionAlgorithm');
    assertSymmetricAlgorithm(params.optionalString('DestinationEncryptionAlgorithm'), 'destinationEncryptionAlgorithm');
    const dryRun = params.optionalBoolean('DryRun') ?? false;
    const expectedSourceKeyId = namedSource === undefined ? undefined : await keyIdOf(namedSource, context);
    const sealed = await context.execute(reEncrypt, {
      ciphertextBlob,
      sourceEncryptionContext,
      destinationKey,
      destinationEncryptionContext,
      dryRun,
    });
    const source = context.resolvedKey('source');
    if (source === undefined) throw new KmsError('Internal');
    if (expectedSourceKeyId !== undefined && expectedSourceKeyId !== source.keyId) throw new KmsError('IncorrectKey');
    return {
      CiphertextBlob: base64(sealed.ciphertextBlob),
      SourceKeyId: awsKeyArn(context.scope, source.keyId),
      KeyId: awsKeyArn(context.scope, sealed.keyId),
      SourceEncryptionAlgorithm: SYMMETRIC_DEFAULT,
      DestinationEncryptionAlgorithm: SYMMETRIC_DEFAULT,
      ...(source.keyVersionId === undefined ? {} : { SourceKeyMaterialId: source.keyVersionId }),
      DestinationKeyMaterialId: sealed.keyVersionId,
    };
  },
});
