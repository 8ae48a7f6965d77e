import { GCM_IV_LENGTH, GCM_TAG_LENGTH } from '../../crypto/aead.js';

/**
 * An HSM key version as the database keeps it (ProtectionKind `pkcs11-wrapped`): the version's
 * key wrapped inside the token by a token-resident wrapping key, never its plaintext.
 *
 * Layout, format 1:
 *   0x01 ‖ idLength(1) ‖ wrappingKeyId(idLength) ‖ wrappedLength(2, big-endian) ‖ wrapped
 *        ‖ checkIv(12) ‖ check(CHECK_PLAINTEXT_LENGTH + 16)
 * - `wrapped`: CKM_AES_KEY_WRAP_PAD (RFC 5649) of the version key under the wrapping key whose
 *   CKA_ID is `wrappingKeyId`.
 * - `check`: CKM_AES_GCM under the version key itself of CHECK_PLAINTEXT_LENGTH zero bytes,
 *   additional data `"arca-hsm-material-v1" ‖ 0x00 ‖ keyVersionId`. Key wrap has no additional
 *   data, so this is what binds the material to its version: material copied to another version
 *   row fails to open, as sealed SOFTWARE material does.
 */
export const WRAPPED_MATERIAL_FORMAT = 1;
export const CHECK_PLAINTEXT_LENGTH = 16;
const MAX_WRAPPING_KEY_ID_LENGTH = 255;
const MAX_WRAPPED_LENGTH = 1024;

export interface WrappedMaterial {
  readonly wrappingKeyId: Buffer;
  readonly wrapped: Buffer;
  readonly checkIv: Buffer;
  readonly check: Buffer;
}

export function checkAdditionalData(keyVersionId: string): Buffer {
  return Buffer.from(`arca-hsm-material-v1\0${keyVersionId}`, 'utf8');
}

export function encodeWrappedMaterial(material: WrappedMaterial): Buffer {
  const { wrappingKeyId, wrapped, checkIv, check } = material;
  if (wrappingKeyId.length === 0 || wrappingKeyId.length > MAX_WRAPPING_KEY_ID_LENGTH) throw new RangeError('wrapping key id length');
  if (wrapped.length === 0 || wrapped.length > MAX_WRAPPED_LENGTH) throw new RangeError('wrapped key length');
  if (checkIv.length !== GCM_IV_LENGTH || check.length !== CHECK_PLAINTEXT_LENGTH + GCM_TAG_LENGTH)
    throw new RangeError('check value length');
  const wrappedLength = Buffer.alloc(2);
  wrappedLength.writeUInt16BE(wrapped.length);
  return Buffer.concat([Buffer.of(WRAPPED_MATERIAL_FORMAT, wrappingKeyId.length), wrappingKeyId, wrappedLength, wrapped, checkIv, check]);
}

/** Throws when `bytes` is not format-1 wrapped material; checks every length before it slices. */
export function decodeWrappedMaterial(bytes: Buffer): WrappedMaterial {
  const fail = (): never => {
    throw new Error('stored HSM material is malformed');
  };
  if (bytes.length < 2 || bytes[0] !== WRAPPED_MATERIAL_FORMAT) fail();
  const idLength = bytes[1] ?? 0;
  let offset = 2;
  if (idLength === 0 || bytes.length < offset + idLength + 2) fail();
  const wrappingKeyId = bytes.subarray(offset, offset + idLength);
  offset += idLength;
  const wrappedLength = bytes.readUInt16BE(offset);
  offset += 2;
  const checkLength = CHECK_PLAINTEXT_LENGTH + GCM_TAG_LENGTH;
  if (wrappedLength === 0 || bytes.length !== offset + wrappedLength + GCM_IV_LENGTH + checkLength) fail();
  const wrapped = bytes.subarray(offset, offset + wrappedLength);
  offset += wrappedLength;
  const checkIv = bytes.subarray(offset, offset + GCM_IV_LENGTH);
  offset += GCM_IV_LENGTH;
  return { wrappingKeyId, wrapped, checkIv, check: bytes.subarray(offset) };
}
