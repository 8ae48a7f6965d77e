import { GCM_IV_LENGTH, GCM_TAG_LENGTH } from '../../crypto/aead.js';
import { ck, type GcmParams, type Mechanism, type RsaOaepParams } from './binding.js';

/**
 * The mechanism parameters Arca hands to the native binding, built only here and checked first:
 * the binding copies them into C structures, and a malformed one (a wrong IV length, a
 * length that does not match its buffer) is undefined behaviour in the module, which may abort
 * the whole process. So nothing reaches it that was not checked to be exactly what Arca means.
 */

/** Larger than any additional data Arca builds (an 8192-character context plus the header). */
export const MAX_GCM_ADDITIONAL_DATA_BYTES = 64 * 1024;

/** CKM_AES_GCM with a 96-bit IV and a 128-bit tag: the sealed layout's parameters. */
export function aesGcmMechanism(iv: Uint8Array, additionalData: Uint8Array): Mechanism {
  // Precondition: a 12-byte IV and bounded additional data, in buffers of their own.
  if (!(iv instanceof Uint8Array) || iv.length !== GCM_IV_LENGTH) throw new RangeError(`AES-GCM needs a ${GCM_IV_LENGTH}-byte IV`);
  if (!(additionalData instanceof Uint8Array) || additionalData.length > MAX_GCM_ADDITIONAL_DATA_BYTES) {
    throw new RangeError(`AES-GCM additional data is at most ${MAX_GCM_ADDITIONAL_DATA_BYTES} bytes`);
  }
  const parameter: GcmParams = {
    type: ck.CK_PARAMS_GCM,
    iv: Buffer.from(iv),
    ivBits: GCM_IV_LENGTH * 8,
    aad: Buffer.from(additionalData),
    tagBits: GCM_TAG_LENGTH * 8,
  };
  return { mechanism: ck.CKM_AES_GCM, parameter };
}

/** CKM_AES_KEY_WRAP_PAD (RFC 5649): no parameter; the token checks the integrity value. */
export const AES_KEY_WRAP_PAD: Mechanism = { mechanism: ck.CKM_AES_KEY_WRAP_PAD };

/** CKM_AES_KEY_GEN: no parameter. */
export const AES_KEY_GEN: Mechanism = { mechanism: ck.CKM_AES_KEY_GEN };

/** CKM_RSA_PKCS_OAEP with SHA-1, MGF1-SHA-1 and an empty label: Alibaba's RSAES_OAEP_SHA_1. */
export function rsaOaepSha1Mechanism(): Mechanism {
  const parameter: RsaOaepParams = {
    type: ck.CK_PARAMS_RSA_OAEP,
    hashAlg: ck.CKM_SHA_1,
    mgf: ck.CKG_MGF1_SHA1,
    source: ck.CKZ_DATA_SPECIFIED,
  };
  return { mechanism: ck.CKM_RSA_PKCS_OAEP, parameter };
}

/** CKM_RSA_PKCS_KEY_PAIR_GEN: no parameter. */
export const RSA_KEY_PAIR_GEN: Mechanism = { mechanism: ck.CKM_RSA_PKCS_KEY_PAIR_GEN };

/** CKM_AES_CMAC (NIST SP 800-38B): no parameter; a 16-byte MAC. */
export const AES_CMAC: Mechanism = { mechanism: ck.CKM_AES_CMAC };
export const AES_CMAC_LENGTH = 16;
