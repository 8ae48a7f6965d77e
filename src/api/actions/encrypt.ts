import { KmsError } from '../../domain/errors.js';
import { encrypt } from '../../operations/encrypt.js';
import { sealedBody } from '../shapes.js';
import { wireAction } from '../wire-action.js';

/** 6 KB, counted in UTF-8 bytes of the Plaintext string. */
export const MAX_PLAINTEXT_BYTES = 6144;

export const encryptAction = wireAction({
  action: 'Encrypt',
  takesDryRun: true,
  operation: encrypt,
  parse: (params) => {
    const key = params.keyReference('KeyId');
    // Plaintext is an opaque string: its UTF-8 bytes are sealed as given, never base64-decoded.
    const plaintext = Buffer.from(params.required('Plaintext'), 'utf8');
    if (plaintext.length > MAX_PLAINTEXT_BYTES) throw new KmsError('InvalidInput', 'Plaintext');
    return { key, plaintext, encryptionContext: params.encryptionContext('EncryptionContext'), dryRun: params.dryRun() };
  },
  respond: sealedBody,
});
