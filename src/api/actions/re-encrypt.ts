import { KmsError } from '../../domain/errors.js';
import { reEncrypt } from '../../operations/re-encrypt.js';
import { sealedBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

/** Symmetric sources only: the asymmetric source parameters are refused rather than ignored. */
export const reEncryptAction = wireAction({
  action: 'ReEncrypt',
  takesDryRun: true,
  operation: reEncrypt,
  parse: (params) => {
    for (const name of ['SourceKeyId', 'SourceKeyVersionId', 'SourceEncryptionAlgorithm']) {
      if (params.optional(name)) throw new KmsError('InvalidInput', name);
    }
    return {
      ciphertextBlob: params.ciphertext('CiphertextBlob'),
      sourceEncryptionContext: params.encryptionContext('SourceEncryptionContext'),
      destinationKey: params.keyReference('DestinationKeyId'),
      destinationEncryptionContext: params.encryptionContext('DestinationEncryptionContext'),
      dryRun: params.dryRun(),
    };
  },
  respond: sealedBody,
});
