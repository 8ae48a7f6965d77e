import { KmsError } from '../../domain/errors.js';
import type { KeyReference } from '../../domain/key-reference.js';
import { decrypt } from '../../operations/decrypt.js';
import { describeKey } from '../../operations/describe-key.js';
import { awsAction, type AwsActionContext } from '../aws-action.js';
import { awsKeyArn } from '../aws-arn.js';
import { base64 } from '../aws-shapes.js';
import { assertSymmetricAlgorithm, SYMMETRIC_DEFAULT } from '../aws-values.js';

export const decryptAwsAction = awsAction({
  name: 'Decrypt',
  actions: [decrypt.action, describeKey.action],
  run: async (params, context) => {
    const ciphertextBlob = params.ciphertextBlob('CiphertextBlob');
    const encryptionContext = params.encryptionContext('EncryptionContext');
    const named = params.optionalKeyReference('KeyId', 'key-or-alias');
    assertSymmetricAlgorithm(params.optionalString('EncryptionAlgorithm'), 'encryptionAlgorithm');
    params.refuse('Recipient');
    const dryRun = params.optionalBoolean('DryRun') ?? false;
    const expectedKeyId = named === undefined ? undefined : await keyIdOf(named, context);
    const output = await context.execute(decrypt, { ciphertextBlob, encryptionContext, dryRun });
    try {
      if (expectedKeyId !== undefined && expectedKeyId !== output.keyId) throw new KmsError('IncorrectKey');
      // Always the bytes that were sealed: an Alibaba data key's blob gives its base64 text (ADR 35).
      return {
        KeyId: awsKeyArn(context.scope, output.keyId),
        Plaintext: base64(output.plaintext),
        EncryptionAlgorithm: SYMMETRIC_DEFAULT,
        KeyMaterialId: output.keyVersionId,
      };
    } finally {
      output.plaintext.fill(0);
    }
  },
});

/**
 * The key a KeyId names. A key id or Arn names itself; an alias is resolved through DescribeKey,
 * which the caller must be allowed too (the Encryption SDK always sends the key Arn).
 */
export async function keyIdOf(reference: KeyReference, { execute }: AwsActionContext): Promise<string> {
  if (reference.kind === 'keyId') return reference.keyId;
  if (reference.kind === 'foreign') throw new KmsError('IncorrectKey');
  return (await execute(describeKey, { key: reference })).keyId;
}
