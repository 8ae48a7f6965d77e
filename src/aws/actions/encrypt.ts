import { KmsError } from '../../domain/errors.js';
import { encrypt } from '../../operations/encrypt.js';
import { awsAction } from '../aws-action.js';
import { awsKeyArn } from '../aws-arn.js';
import { base64 } from '../aws-shapes.js';
import { assertSymmetricAlgorithm, SYMMETRIC_DEFAULT } from '../aws-values.js';

/** AWS's bound: 1 to 4096 bytes of plaintext (Alibaba's is 6 KB of text). */
export const MAX_AWS_PLAINTEXT_BYTES = 4096;

export const encryptAwsAction = awsAction({
  name: 'Encrypt',
  actions: [encrypt.action],
  run: async (params, { execute, scope }) => {
    const key = params.keyReference('KeyId', 'key-or-alias');
    // The decoded bytes are sealed as they are: Decrypt through either API gives them back (ADR 35).
    const plaintext = params.requiredBlob('Plaintext');
    if (plaintext.length > MAX_AWS_PLAINTEXT_BYTES) throw new KmsError('InvalidInput', 'plaintext');
    assertSymmetricAlgorithm(params.optionalString('EncryptionAlgorithm'), 'encryptionAlgorithm');
    const encryptionContext = params.encryptionContext('EncryptionContext');
    const dryRun = params.optionalBoolean('DryRun') ?? false;
    try {
      const sealed = await execute(encrypt, { key, plaintext, encryptionContext, dryRun });
      return {
        CiphertextBlob: base64(sealed.ciphertextBlob),
        KeyId: awsKeyArn(scope, sealed.keyId),
        EncryptionAlgorithm: SYMMETRIC_DEFAULT,
        KeyMaterialId: sealed.keyVersionId,
      };
    } finally {
      plaintext.fill(0);
    }
  },
});
