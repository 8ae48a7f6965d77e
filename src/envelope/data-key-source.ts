import type { SecretBytes } from '../crypto/secret-bytes.js';

/** An encryption context as applications hold it: string keys to string values. */
export type ContextRecord = Readonly<Record<string, string>>;

/** A fresh data key and its sealed form, as GenerateDataKey returns them. */
export interface DataKey {
  /** 32 bytes. The receiver owns it: it wipes it when done (a cache hands out copies). */
  readonly plaintext: SecretBytes;
  /** The data key sealed under the master key, base64 text. */
  readonly ciphertextBlob: string;
  readonly keyId: string;
  readonly keyVersionId: string;
}

export interface GenerateDataKeyRequest {
  /** Key id, alias (`alias/…`) or Arn of the master key. */
  readonly keyId: string;
  readonly context: ContextRecord;
  /**
   * How many plaintext bytes the data key will encrypt, when known in advance; a cache uses it to
   * keep within its byte limit and does not cache without it.
   */
  readonly plaintextLengthInBytes?: number;
}

export interface DecryptDataKeyRequest {
  readonly ciphertextBlob: string;
  readonly context: ContextRecord;
}

/**
 * Where envelopes get their data keys: the KMS itself (`KmsDataKeySource`) or a cache in front of
 * it (`CachingDataKeySource`).
 *
 * Contract: `generateDataKey` returns a fresh 32-byte key sealed under `keyId` with `context`;
 * `decryptDataKey` returns the 32-byte key a blob seals, or rejects. A blob that fails to open
 * (wrong context, damaged blob) rejects with an `EnvelopeError` HeaderAuthenticationFailed;
 * other refusals of the KMS (disabled key, bad credentials, network) reject with their own error.
 */
export interface DataKeySource {
  generateDataKey(request: GenerateDataKeyRequest): Promise<DataKey>;
  decryptDataKey(request: DecryptDataKeyRequest): Promise<SecretBytes>;
}
