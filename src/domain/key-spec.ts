import { AeadAlgorithm } from '../crypto/aead.js';

/** Symmetric key specs Arca manages; values equal the wire strings. */
export const KeySpec = {
  Aes256: 'Aliyun_AES_256',
  Sm4: 'Aliyun_SM4',
} as const;
export type KeySpec = (typeof KeySpec)[keyof typeof KeySpec];

export const DEFAULT_KEY_SPEC: KeySpec = KeySpec.Aes256;

interface KeySpecProfile {
  readonly algorithm: AeadAlgorithm;
  readonly materialLengthInBytes: number;
}

const profiles: Record<KeySpec, KeySpecProfile> = {
  [KeySpec.Aes256]: { algorithm: AeadAlgorithm.Aes256Gcm, materialLengthInBytes: 32 },
  [KeySpec.Sm4]: { algorithm: AeadAlgorithm.Sm4Gcm, materialLengthInBytes: 16 },
};

export function isKeySpec(value: string): value is KeySpec {
  return Object.values<string>(KeySpec).includes(value);
}

export function profileOf(keySpec: KeySpec): KeySpecProfile {
  return profiles[keySpec];
}

export const KeyUsage = { EncryptDecrypt: 'ENCRYPT/DECRYPT' } as const;
export type KeyUsage = (typeof KeyUsage)[keyof typeof KeyUsage];

export const Origin = { AliyunKms: 'Aliyun_KMS', External: 'EXTERNAL' } as const;
export type Origin = (typeof Origin)[keyof typeof Origin];

export const ProtectionLevel = { Software: 'SOFTWARE', Hsm: 'HSM' } as const;
export type ProtectionLevel = (typeof ProtectionLevel)[keyof typeof ProtectionLevel];
