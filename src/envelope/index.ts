// The envelope encryption library, published as `arca-kms/envelope`:
//
//   const client = new KmsClient({ endpoint: '127.0.0.1:8080', credentials: { accessKeyId, accessKeySecret } });
//   const envelopes = new EnvelopeCipher(new KmsDataKeySource(client));
//   const sealed = await envelopes.encrypt(plaintext, { keyId: 'alias/app', context: { tenant: 'a' } });
//   const opened = await envelopes.decrypt(sealed);
export { AeadAlgorithm } from '../crypto/aead.js';
export { type Credentials } from '../client/acs3-signer.js';
export { KmsApiError, KmsClient, type KmsClientOptions, KmsTransportError } from '../client/kms-client.js';
export { CachingDataKeySource, type DataKeyCacheLimits } from './caching-data-key-source.js';
export type { ContextRecord, DataKey, DataKeySource, DecryptDataKeyRequest, GenerateDataKeyRequest } from './data-key-source.js';
export { EnvelopeCipher, type EnvelopeDecryptOptions, type EnvelopeEncryptOptions, type EnvelopeInfo } from './envelope-cipher.js';
export { EnvelopeError, EnvelopeErrorCode } from './envelope-error.js';
export { DEFAULT_SEGMENT_SIZE_IN_BYTES, MAX_SEGMENT_SIZE_IN_BYTES, MIN_SEGMENT_SIZE_IN_BYTES } from './header.js';
export { KmsDataKeySource, type KmsDataKeySourceOptions } from './kms-data-key-source.js';
