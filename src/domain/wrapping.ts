import { KmsError } from './errors.js';

/** The key pairs that wrap imported material and exported data keys; values equal the wire strings. */
export const WrappingKeySpec = { Rsa2048: 'RSA_2048', EcSm2: 'EC_SM2' } as const;
export type WrappingKeySpec = (typeof WrappingKeySpec)[keyof typeof WrappingKeySpec];

export const WrappingAlgorithm = {
  RsaesPkcs1V15: 'RSAES_PKCS1_V1_5',
  RsaesOaepSha1: 'RSAES_OAEP_SHA_1',
  /** OAEP with SHA-256 and MGF1-SHA-256. */
  RsaesOaepSha256: 'RSAES_OAEP_SHA_256',
  Sm2Pke: 'SM2PKE',
} as const;
export type WrappingAlgorithm = (typeof WrappingAlgorithm)[keyof typeof WrappingAlgorithm];

export interface WrappingScheme {
  readonly keySpec: WrappingKeySpec;
  readonly algorithm: WrappingAlgorithm;
}

/** GetParametersForImport's combinations (alibaba-kms-api.md §4). */
const IMPORT_SCHEMES: Readonly<Record<WrappingKeySpec, readonly WrappingAlgorithm[]>> = {
  RSA_2048: [WrappingAlgorithm.RsaesPkcs1V15, WrappingAlgorithm.RsaesOaepSha1, WrappingAlgorithm.RsaesOaepSha256],
  EC_SM2: [WrappingAlgorithm.Sm2Pke],
};

/** ExportDataKey's combinations (§6.3): no PKCS#1 v1.5. */
const EXPORT_SCHEMES: Readonly<Record<WrappingKeySpec, readonly WrappingAlgorithm[]>> = {
  RSA_2048: [WrappingAlgorithm.RsaesOaepSha1, WrappingAlgorithm.RsaesOaepSha256],
  EC_SM2: [WrappingAlgorithm.Sm2Pke],
};

function isOneOf<T extends string>(allowed: Readonly<Record<string, T>>, value: string): value is T {
  return Object.values<string>(allowed).includes(value);
}

function schemeFrom(
  table: Readonly<Record<WrappingKeySpec, readonly WrappingAlgorithm[]>>,
  keySpec: string,
  algorithm: string,
): WrappingScheme {
  if (!isOneOf(WrappingKeySpec, keySpec)) throw new KmsError('InvalidInput', 'wrappingKeySpec');
  if (!isOneOf(WrappingAlgorithm, algorithm) || !table[keySpec].includes(algorithm))
    throw new KmsError('InvalidInput', 'wrappingAlgorithm');
  return { keySpec, algorithm };
}

/** The wire pair as an import scheme; InvalidParameter naming the parameter at fault otherwise. */
export function importSchemeOf(keySpec: string, algorithm: string): WrappingScheme {
  return schemeFrom(IMPORT_SCHEMES, keySpec, algorithm);
}

/** The wire pair as an export scheme; InvalidParameter naming the parameter at fault otherwise. */
export function exportSchemeOf(keySpec: string, algorithm: string): WrappingScheme {
  return schemeFrom(EXPORT_SCHEMES, keySpec, algorithm);
}

/** The message the device's CMAC runs over, followed by the key id (docs/adr/0020). */
export const DEVICE_COMMITMENT_MESSAGE_PREFIX = 'arca imported material commitment\0';

/** How long an ImportToken (and the wrapping key pair in it) can be used. */
export const IMPORT_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;
