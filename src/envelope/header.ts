import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { AeadAlgorithm } from '../crypto/aead.js';
import { AEAD_KEY_LENGTH_IN_BYTES } from '../crypto/keyed-gcm-factory.js';
import { SecretBytes } from '../crypto/secret-bytes.js';
import { encodeContextForAad, type EncryptionContext } from '../domain/encryption-context.js';
import { EnvelopeError, EnvelopeErrorCode } from './envelope-error.js';

// Envelope file format, version 1 (the full definition, with the reasons, is ADR 0016).
// Integers are unsigned big-endian.
//
//   magic "ARCAENV"(7) ‖ version 0x01(1) ‖ algorithm(1) ‖ segmentSize(4) ‖ salt(32) ‖
//   noncePrefix(7) ‖ blobLength(2) ‖ blob(blobLength) ‖ contextLength(4) ‖ context(contextLength) ‖
//   headerTag(32)
//
// blob is the CiphertextBlob (base64 text, ASCII) that GenerateDataKey returned; context is the
// canonical encoding of the encryption context (count(4) ‖ sorted length-prefixed pairs).
// The header body is everything before headerTag.
//
//   okm = HKDF-SHA256(IKM = data key (32), salt, info = "ARCA-ENVELOPE-V1" ‖ SHA-256(header body),
//                     L = 32 + K)          K = 32 for AES-256-GCM, 16 for SM4-GCM
//   headerTag  = HMAC-SHA256(okm[0, 32), header body)
//   segmentKey = okm[32, 32 + K)

export const MAGIC = Buffer.from('ARCAENV', 'ascii');
export const FORMAT_VERSION = 1;
export const SALT_LENGTH_IN_BYTES = 32;
export const NONCE_PREFIX_LENGTH_IN_BYTES = 7;
export const HEADER_TAG_LENGTH_IN_BYTES = 32;
export const DATA_KEY_LENGTH_IN_BYTES = 32;
/** magic, version, algorithm, segment size, salt, nonce prefix, blob length. */
export const FIXED_PREFIX_LENGTH_IN_BYTES = 7 + 1 + 1 + 4 + SALT_LENGTH_IN_BYTES + NONCE_PREFIX_LENGTH_IN_BYTES + 2;
export const MIN_SEGMENT_SIZE_IN_BYTES = 1024;
export const MAX_SEGMENT_SIZE_IN_BYTES = 16 * 1024 * 1024;
export const DEFAULT_SEGMENT_SIZE_IN_BYTES = 64 * 1024;
/** Longer contexts cannot come from Arca (8192 characters of JSON); refusing early bounds memory. */
export const MAX_CONTEXT_LENGTH_IN_BYTES = 64 * 1024;
const KDF_LABEL = Buffer.from('ARCA-ENVELOPE-V1', 'ascii');

const ALGORITHM_IDS = [
  [AeadAlgorithm.Aes256Gcm, 1],
  [AeadAlgorithm.Sm4Gcm, 2],
] as const satisfies ReadonlyArray<readonly [AeadAlgorithm, number]>;

export interface EnvelopeHeader {
  readonly algorithm: AeadAlgorithm;
  readonly segmentSizeInBytes: number;
  readonly salt: Buffer;
  readonly noncePrefix: Buffer;
  /** The sealed data key, as GenerateDataKey returned it. */
  readonly ciphertextBlob: string;
  readonly context: EncryptionContext;
}

/** The keys a header and its data key yield. Wipe both when done. */
export interface DerivedKeys {
  readonly headerMacKey: SecretBytes;
  readonly segmentKey: SecretBytes;
}

export function algorithmId(algorithm: AeadAlgorithm): number {
  const entry = ALGORITHM_IDS.find(([name]) => name === algorithm);
  if (entry === undefined) throw new Error(`unknown AEAD algorithm: ${String(algorithm)}`);
  return entry[1];
}

function algorithmOfId(id: number): AeadAlgorithm | undefined {
  return ALGORITHM_IDS.find(([, value]) => value === id)?.[0];
}

export function isValidSegmentSize(size: number): boolean {
  return Number.isInteger(size) && size >= MIN_SEGMENT_SIZE_IN_BYTES && size <= MAX_SEGMENT_SIZE_IN_BYTES;
}

/** The header body (everything before the tag). */
export function encodeHeaderBody(header: EnvelopeHeader): Buffer {
  const blob = Buffer.from(header.ciphertextBlob, 'ascii');
  // Precondition: every length fits its field, checked before anything is written.
  if (blob.length === 0 || blob.length > 0xffff || !/^[A-Za-z0-9+/=]+$/.test(header.ciphertextBlob)) {
    throw new Error('the CiphertextBlob is not base64 text of at most 65535 characters');
  }
  if (!isValidSegmentSize(header.segmentSizeInBytes)) throw new Error('segment size out of range');
  if (header.salt.length !== SALT_LENGTH_IN_BYTES || header.noncePrefix.length !== NONCE_PREFIX_LENGTH_IN_BYTES) {
    throw new Error('salt or nonce prefix of the wrong length');
  }
  const context = encodeContextForAad(header.context);
  if (context.length > MAX_CONTEXT_LENGTH_IN_BYTES) throw new Error('encryption context too long');
  const out = Buffer.alloc(FIXED_PREFIX_LENGTH_IN_BYTES + blob.length + 4 + context.length);
  let offset = MAGIC.copy(out, 0);
  offset = out.writeUInt8(FORMAT_VERSION, offset);
  offset = out.writeUInt8(algorithmId(header.algorithm), offset);
  offset = out.writeUInt32BE(header.segmentSizeInBytes, offset);
  offset += header.salt.copy(out, offset);
  offset += header.noncePrefix.copy(out, offset);
  offset = out.writeUInt16BE(blob.length, offset);
  offset += blob.copy(out, offset);
  offset = out.writeUInt32BE(context.length, offset);
  context.copy(out, offset);
  return out;
}

/** What the fixed prefix says about the rest of the header. */
export interface HeaderPrefix {
  readonly algorithm: AeadAlgorithm;
  readonly segmentSizeInBytes: number;
  readonly blobLengthInBytes: number;
}

/** Parses the first FIXED_PREFIX_LENGTH_IN_BYTES bytes; refuses what is not a version-1 envelope. */
export function parseHeaderPrefix(prefix: Buffer): HeaderPrefix {
  if (prefix.length < FIXED_PREFIX_LENGTH_IN_BYTES || !prefix.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new EnvelopeError(EnvelopeErrorCode.NotAnEnvelope);
  }
  const version = prefix.readUInt8(7);
  if (version !== FORMAT_VERSION) throw new EnvelopeError(EnvelopeErrorCode.UnsupportedVersion, `format version ${version}`);
  const algorithm = algorithmOfId(prefix.readUInt8(8));
  const segmentSizeInBytes = prefix.readUInt32BE(9);
  const blobLengthInBytes = prefix.readUInt16BE(FIXED_PREFIX_LENGTH_IN_BYTES - 2);
  // An unknown algorithm or an impossible size can only be a damaged or forged header.
  if (algorithm === undefined || !isValidSegmentSize(segmentSizeInBytes) || blobLengthInBytes === 0) {
    throw new EnvelopeError(EnvelopeErrorCode.HeaderAuthenticationFailed);
  }
  return { algorithm, segmentSizeInBytes, blobLengthInBytes };
}

/**
 * Parses a complete header body whose fields have been read (prefix, blob, context length and
 * context). The result is not yet authenticated: `verifyHeaderTag` decides.
 */
export function parseHeaderBody(body: Buffer): EnvelopeHeader {
  const { algorithm, segmentSizeInBytes, blobLengthInBytes } = parseHeaderPrefix(body);
  const blobEnd = FIXED_PREFIX_LENGTH_IN_BYTES + blobLengthInBytes;
  if (body.length < blobEnd + 4) throw new EnvelopeError(EnvelopeErrorCode.Truncated);
  const contextLength = body.readUInt32BE(blobEnd);
  if (body.length !== blobEnd + 4 + contextLength) throw new EnvelopeError(EnvelopeErrorCode.HeaderAuthenticationFailed);
  const ciphertextBlob = body.subarray(FIXED_PREFIX_LENGTH_IN_BYTES, blobEnd).toString('latin1');
  if (!/^[A-Za-z0-9+/=]+$/.test(ciphertextBlob)) throw new EnvelopeError(EnvelopeErrorCode.HeaderAuthenticationFailed);
  return {
    algorithm,
    segmentSizeInBytes,
    salt: Buffer.from(body.subarray(13, 13 + SALT_LENGTH_IN_BYTES)),
    noncePrefix: Buffer.from(body.subarray(13 + SALT_LENGTH_IN_BYTES, 13 + SALT_LENGTH_IN_BYTES + NONCE_PREFIX_LENGTH_IN_BYTES)),
    ciphertextBlob,
    context: decodeContext(body.subarray(blobEnd + 4)),
  };
}

/** Inverse of the domain's canonical context encoding; any malformation is a damaged header. */
export function decodeContext(encoded: Buffer): EncryptionContext {
  const fail = (): never => {
    throw new EnvelopeError(EnvelopeErrorCode.HeaderAuthenticationFailed);
  };
  if (encoded.length < 4) fail();
  const count = encoded.readUInt32BE(0);
  const context = new Map<string, string>();
  let offset = 4;
  const readString = (): string => {
    if (offset + 4 > encoded.length) fail();
    const length = encoded.readUInt32BE(offset);
    offset += 4;
    if (offset + length > encoded.length) fail();
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(encoded.subarray(offset, offset + length));
    offset += length;
    return text;
  };
  for (let index = 0; index < count; index++) {
    let key = '';
    let value = '';
    try {
      key = readString();
      value = readString();
    } catch (error) {
      if (error instanceof EnvelopeError) throw error;
      fail(); // invalid UTF-8
    }
    if (context.has(key)) fail();
    context.set(key, value);
  }
  if (offset !== encoded.length) fail();
  // Only the canonical form is accepted, so one context has exactly one header encoding.
  if (!encodeContextForAad(context).equals(encoded)) fail();
  return context;
}

/** HKDF-SHA256 over the data key, keyed to this exact header body. */
export function deriveKeys(dataKey: SecretBytes, header: EnvelopeHeader, headerBody: Buffer): DerivedKeys {
  if (dataKey.lengthInBytes !== DATA_KEY_LENGTH_IN_BYTES) throw new EnvelopeError(EnvelopeErrorCode.DataKeyInvalid);
  const segmentKeyLength = AEAD_KEY_LENGTH_IN_BYTES[header.algorithm];
  const info = Buffer.concat([KDF_LABEL, createHash('sha256').update(headerBody).digest()]);
  const okm = Buffer.from(hkdfSync('sha256', dataKey.unsafeReveal(), header.salt, info, HEADER_TAG_LENGTH_IN_BYTES + segmentKeyLength));
  const keys = {
    headerMacKey: SecretBytes.copyOf(okm.subarray(0, HEADER_TAG_LENGTH_IN_BYTES)),
    segmentKey: SecretBytes.copyOf(okm.subarray(HEADER_TAG_LENGTH_IN_BYTES)),
  };
  okm.fill(0);
  return keys;
}

export function headerTag(headerMacKey: SecretBytes, headerBody: Buffer): Buffer {
  return createHmac('sha256', headerMacKey.unsafeReveal()).update(headerBody).digest();
}

export function verifyHeaderTag(headerMacKey: SecretBytes, headerBody: Buffer, tag: Buffer): void {
  const expected = headerTag(headerMacKey, headerBody);
  if (tag.length !== expected.length || !timingSafeEqual(expected, tag)) {
    throw new EnvelopeError(EnvelopeErrorCode.HeaderAuthenticationFailed);
  }
}

/** nonce = noncePrefix(7) ‖ segmentIndex(4) ‖ lastSegmentFlag(1), as in Tink's AES-GCM-HKDF streaming. */
export function segmentNonce(noncePrefix: Buffer, segmentIndex: number, isFinal: boolean): Buffer {
  const nonce = Buffer.allocUnsafe(NONCE_PREFIX_LENGTH_IN_BYTES + 5);
  noncePrefix.copy(nonce, 0);
  nonce.writeUInt32BE(segmentIndex, NONCE_PREFIX_LENGTH_IN_BYTES);
  nonce.writeUInt8(isFinal ? 1 : 0, NONCE_PREFIX_LENGTH_IN_BYTES + 4);
  return nonce;
}
