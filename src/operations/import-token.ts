import { SecretBytes } from '../crypto/secret-bytes.js';
import { KmsError } from '../domain/errors.js';
import type { SecretSealer } from '../domain/ports.js';
import { SealPurpose } from '../domain/seal-purposes.js';
import { type WrappingAlgorithm, type WrappingKeySpec, type WrappingScheme } from '../domain/wrapping.js';

/**
 * The ImportToken: the wrapping private key and what it may be used for, sealed under the root
 * key and bound to one key id. Arca stores nothing for it; the token is the only copy of the
 * private key, and it opens only on this server (the root key) and only for that key.
 *
 *   token   = 0x01 (format) ‖ sealed          (base64 on the Alibaba wire)
 *   sealed  = root-key seal, purpose "import-wrapping-key", binding = the key id
 *   payload = expiresAtMs (8, unsigned big-endian) ‖ keySpec (1) ‖ algorithm (1) ‖ private key
 *
 * The seal is AES-256-GCM: a token that was changed, was not made by this root key, or was made
 * for another key fails to open, and is refused as InvalidImportToken without a word about why.
 * Only an authentic token is read; its expiry then gives ExpiredImportToken.
 *
 * For a key whose device unwraps the material itself (an HSM key, docs/adr/0020) the private key
 * stays in the device, and the token carries the random id of its pair instead:
 *
 *   token   = 0x02 (format) ‖ sealed
 *   sealed  = root-key seal, purpose "import-wrapping-key-in-device", binding = the key id
 *   payload = expiresAtMs (8) ‖ keySpec (1) ‖ algorithm (1) ‖ pair id (16)
 *
 * The format byte chooses the seal purpose, so a token of one kind never opens as the other.
 */

const TOKEN_FORMAT = 0x01;
const IN_DEVICE_TOKEN_FORMAT = 0x02;
const PAIR_ID_LENGTH = 16;
const PAYLOAD_HEADER_LENGTH = 10;

const KEY_SPEC_CODES: Readonly<Record<WrappingKeySpec, number>> = { RSA_2048: 1, EC_SM2: 2 };
const ALGORITHM_CODES: Readonly<Record<WrappingAlgorithm, number>> = {
  RSAES_PKCS1_V1_5: 1,
  RSAES_OAEP_SHA_1: 2,
  RSAES_OAEP_SHA_256: 3,
  SM2PKE: 4,
};

export interface ImportTokenContents {
  readonly scheme: WrappingScheme;
  readonly expiresAtMs: number;
  readonly privateKey: SecretBytes;
}

/** A token whose wrapping private key is in the device: it names the pair (32 hex digits). */
export interface InDeviceImportTokenContents {
  readonly scheme: WrappingScheme;
  readonly expiresAtMs: number;
  readonly pairId: string;
}

function payloadHeader(scheme: WrappingScheme, expiresAtMs: number): Buffer {
  const header = Buffer.alloc(PAYLOAD_HEADER_LENGTH);
  header.writeBigUInt64BE(BigInt(expiresAtMs), 0);
  header[8] = KEY_SPEC_CODES[scheme.keySpec];
  header[9] = ALGORITHM_CODES[scheme.algorithm];
  return header;
}

export async function sealInDeviceImportToken(sealer: SecretSealer, keyId: string, contents: InDeviceImportTokenContents): Promise<Buffer> {
  const pairId = Buffer.from(contents.pairId, 'hex');
  if (pairId.length !== PAIR_ID_LENGTH) throw new Error('an import pair id is 16 bytes');
  const sealed = await sealer.seal(
    Buffer.concat([payloadHeader(contents.scheme, contents.expiresAtMs), pairId]),
    SealPurpose.ImportWrappingKeyInDevice,
    keyId,
  );
  return Buffer.concat([Buffer.of(IN_DEVICE_TOKEN_FORMAT), sealed]);
}

/** Opens an in-device token for `keyId` at `nowMs`; InvalidImportToken or ExpiredImportToken otherwise. */
export async function openInDeviceImportToken(
  sealer: SecretSealer,
  keyId: string,
  token: Buffer,
  nowMs: number,
): Promise<InDeviceImportTokenContents> {
  const payload = await openPayload(sealer, keyId, token, IN_DEVICE_TOKEN_FORMAT, SealPurpose.ImportWrappingKeyInDevice);
  const { scheme, expiresAtMs } = headerOf(payload, PAYLOAD_HEADER_LENGTH + PAIR_ID_LENGTH);
  if (nowMs >= expiresAtMs) throw new KmsError('ExpiredImportToken');
  return { scheme, expiresAtMs, pairId: payload.subarray(PAYLOAD_HEADER_LENGTH).toString('hex') };
}

async function openPayload(sealer: SecretSealer, keyId: string, token: Buffer, format: number, purpose: string): Promise<Buffer> {
  if (token.length < 2 || token[0] !== format) throw new KmsError('InvalidImportToken');
  try {
    return await sealer.open(token.subarray(1), purpose, keyId);
  } catch {
    // AeadAuthenticationError, or a sealed-value format byte the root key does not know: both
    // mean the token is not one this server made for this key.
    throw new KmsError('InvalidImportToken');
  }
}

/** The scheme and expiry of an authentic payload of exactly `length` bytes. */
function headerOf(payload: Buffer, length: number): { scheme: WrappingScheme; expiresAtMs: number } {
  const keySpec = codeOwner(KEY_SPEC_CODES, payload[8]);
  const algorithm = codeOwner(ALGORITHM_CODES, payload[9]);
  // An authentic token always parses; this guards against a future format sealed by a newer Arca.
  if (payload.length !== length || !keySpec || !algorithm) throw new KmsError('InvalidImportToken');
  return { scheme: { keySpec, algorithm }, expiresAtMs: Number(payload.readBigUInt64BE(0)) };
}

export async function sealImportToken(sealer: SecretSealer, keyId: string, contents: ImportTokenContents): Promise<Buffer> {
  const header = payloadHeader(contents.scheme, contents.expiresAtMs);
  const payload = Buffer.concat([header, contents.privateKey.unsafeReveal()]);
  try {
    const sealed = await sealer.seal(payload, SealPurpose.ImportWrappingKey, keyId);
    return Buffer.concat([Buffer.of(TOKEN_FORMAT), sealed]);
  } finally {
    payload.fill(0);
  }
}

function codeOwner<T extends string>(codes: Readonly<Record<T, number>>, code: number | undefined): T | undefined {
  return (Object.keys(codes) as T[]).find((name) => codes[name] === code);
}

/** Opens a token for `keyId` at `nowMs`; InvalidImportToken or ExpiredImportToken otherwise. */
export async function openImportToken(sealer: SecretSealer, keyId: string, token: Buffer, nowMs: number): Promise<ImportTokenContents> {
  const payload = await openPayload(sealer, keyId, token, TOKEN_FORMAT, SealPurpose.ImportWrappingKey);
  const keySpec = codeOwner(KEY_SPEC_CODES, payload[8]);
  const algorithm = codeOwner(ALGORITHM_CODES, payload[9]);
  // An authentic token always parses; this guards against a future format sealed by a newer Arca.
  if (payload.length <= PAYLOAD_HEADER_LENGTH || !keySpec || !algorithm) {
    payload.fill(0);
    throw new KmsError('InvalidImportToken');
  }
  const expiresAtMs = Number(payload.readBigUInt64BE(0));
  const privateKey = SecretBytes.copyOf(payload.subarray(PAYLOAD_HEADER_LENGTH));
  payload.fill(0);
  if (nowMs >= expiresAtMs) {
    privateKey.wipe();
    throw new KmsError('ExpiredImportToken');
  }
  return { scheme: { keySpec, algorithm }, expiresAtMs, privateKey };
}
