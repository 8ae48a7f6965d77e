import { SecretBytes } from '../crypto/secret-bytes.js';
import { KmsApiError, type KmsClient, type ResponseBody, stringAt } from '../client/kms-client.js';
import type { ContextRecord, DataKey, DataKeySource, DecryptDataKeyRequest, GenerateDataKeyRequest } from './data-key-source.js';
import { EnvelopeError, EnvelopeErrorCode } from './envelope-error.js';
import { DATA_KEY_LENGTH_IN_BYTES } from './header.js';

export interface KmsDataKeySourceOptions {
  /**
   * Only data keys sealed under this master key (key id, alias or Arn) open: one sealed under any
   * other key fails with `Envelope.KeyMismatch` before a byte of plaintext is released. It is
   * resolved to its key id with DescribeKey once, and compared with the KeyId Decrypt answers.
   */
  readonly requiredKeyId?: string;
}

/**
 * Data keys straight from the KMS: GenerateDataKey (NumberOfBytes=32) to encrypt, Decrypt of
 * the sealed data key to decrypt. The encryption context goes to the KMS with both calls, so the
 * sealed data key only opens with the context the envelope names.
 */
export class KmsDataKeySource implements DataKeySource {
  readonly #client: KmsClient;
  readonly #requiredKeyId: string | undefined;
  #resolvedRequiredKeyId: Promise<string> | undefined;

  constructor(client: KmsClient, options: KmsDataKeySourceOptions = {}) {
    this.#client = client;
    this.#requiredKeyId = options.requiredKeyId;
  }

  async generateDataKey(request: GenerateDataKeyRequest): Promise<DataKey> {
    const body = await this.#client.call('GenerateDataKey', {
      KeyId: request.keyId,
      NumberOfBytes: DATA_KEY_LENGTH_IN_BYTES,
      EncryptionContext: contextParameter(request.context),
    });
    return {
      plaintext: dataKeyFromBase64(stringAt(body, 'Plaintext')),
      ciphertextBlob: stringAt(body, 'CiphertextBlob'),
      keyId: stringAt(body, 'KeyId'),
      keyVersionId: stringAt(body, 'KeyVersionId'),
    };
  }

  async decryptDataKey(request: DecryptDataKeyRequest): Promise<SecretBytes> {
    // Resolved first: a required key that does not exist fails as itself, before any Decrypt.
    const requiredKeyId = await this.#requiredKey();
    const body = await this.#decrypt(request);
    if (requiredKeyId !== undefined) {
      const sealedUnder = stringAt(body, 'KeyId');
      if (sealedUnder !== requiredKeyId) {
        throw new EnvelopeError(EnvelopeErrorCode.KeyMismatch, `sealed under ${sealedUnder}, required ${requiredKeyId}`);
      }
    }
    return dataKeyFromBase64(stringAt(body, 'Plaintext'));
  }

  async #decrypt(request: DecryptDataKeyRequest): Promise<ResponseBody> {
    try {
      return await this.#client.call('Decrypt', {
        CiphertextBlob: request.ciphertextBlob,
        EncryptionContext: contextParameter(request.context),
      });
    } catch (error) {
      // The KMS answers InvalidParameter for a sealed key that does not open (damaged blob or
      // context): for an envelope that is a header that fails authentication.
      if (error instanceof KmsApiError && error.code === 'InvalidParameter') {
        throw new EnvelopeError(EnvelopeErrorCode.HeaderAuthenticationFailed, `the KMS refused the sealed data key: ${error.message}`);
      }
      throw error;
    }
  }

  /** The required key's id, looked up once; a failed look-up is tried again on the next call. */
  #requiredKey(): Promise<string | undefined> {
    const keyId = this.#requiredKeyId;
    if (keyId === undefined) return Promise.resolve(undefined);
    this.#resolvedRequiredKeyId ??= this.#client.call('DescribeKey', { KeyId: keyId }).then(
      (body) => stringAt(body, 'KeyMetadata.KeyId'),
      (error: unknown) => {
        this.#resolvedRequiredKeyId = undefined;
        throw error;
      },
    );
    return this.#resolvedRequiredKeyId;
  }
}

/** The EncryptionContext parameter: JSON, or absent for an empty context. */
export function contextParameter(context: ContextRecord): string | undefined {
  return Object.keys(context).length === 0 ? undefined : JSON.stringify(context);
}

function dataKeyFromBase64(text: string): SecretBytes {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== DATA_KEY_LENGTH_IN_BYTES) {
    bytes.fill(0);
    throw new EnvelopeError(EnvelopeErrorCode.DataKeyInvalid);
  }
  return SecretBytes.adopt(bytes);
}
