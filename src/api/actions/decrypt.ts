import { decrypt } from '../../operations/decrypt.js';
import { wireAction } from '../wire-action.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const decryptAction = wireAction({
  action: 'Decrypt',
  takesDryRun: true,
  operation: decrypt,
  parse: (params) => ({
    ciphertextBlob: params.ciphertext('CiphertextBlob'),
    encryptionContext: params.encryptionContext('EncryptionContext'),
    dryRun: params.dryRun(),
  }),
  respond: (output) => {
    const plaintext = plaintextText(output.plaintext);
    output.plaintext.fill(0);
    return { KeyId: output.keyId, KeyVersionId: output.keyVersionId, ...plaintext };
  },
});

/**
 * The Plaintext string. Every blob sealed through this API holds the UTF-8 bytes of a string;
 * one sealed through the AWS KMS API holds any bytes. Bytes that are not UTF-8 have no string to
 * give back (decoding them would silently replace them with U+FFFD), so they come as base64, as
 * Alibaba writes data keys, with `PlaintextEncoding: base64` saying so (ADR 35).
 */
function plaintextText(bytes: Buffer): { Plaintext: string; PlaintextEncoding?: 'base64' } {
  try {
    return { Plaintext: strictUtf8.decode(bytes) };
  } catch {
    return { Plaintext: bytes.toString('base64'), PlaintextEncoding: 'base64' };
  }
}
