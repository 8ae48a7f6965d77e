import { KeySpec, KeyUsage, Origin, ProtectionLevel } from '../domain/key-spec.js';
import { KeyState } from '../domain/key-state.js';

// Alibaba's wire strings for Arca's enumerations, both ways, in one place. (Arca's own values
// happen to be spelled like Alibaba's, which is also how the store keeps them; the front end
// still maps them explicitly, so a second protocol maps its own strings to the same values.)

export const WIRE_KEY_SPECS: Readonly<Record<string, KeySpec>> = { Aliyun_AES_256: KeySpec.Aes256, Aliyun_SM4: KeySpec.Sm4 };
export const WIRE_KEY_USAGES: Readonly<Record<string, KeyUsage>> = { 'ENCRYPT/DECRYPT': KeyUsage.EncryptDecrypt };
export const WIRE_ORIGINS: Readonly<Record<string, Origin>> = { Aliyun_KMS: Origin.AliyunKms, EXTERNAL: Origin.External };
export const WIRE_PROTECTION_LEVELS: Readonly<Record<string, ProtectionLevel>> = {
  SOFTWARE: ProtectionLevel.Software,
  HSM: ProtectionLevel.Hsm,
};

export const WIRE_KEY_STATES: Readonly<Record<string, KeyState>> = {
  Enabled: KeyState.Enabled,
  Disabled: KeyState.Disabled,
  PendingDeletion: KeyState.PendingDeletion,
  PendingImport: KeyState.PendingImport,
};

/** GenerateDataKey's KeySpec: the data key's length in bytes. */
export const WIRE_DATA_KEY_SPECS: Readonly<Record<string, number>> = { AES_256: 32, AES_128: 16 };
export const DEFAULT_DATA_KEY_BYTES = 32;

function inverse<T extends string>(table: Readonly<Record<string, T>>): Readonly<Record<T, string>> {
  return Object.fromEntries(Object.entries(table).map(([wire, value]) => [value, wire])) as Record<T, string>;
}

const KEY_SPEC_NAMES = inverse(WIRE_KEY_SPECS);
const KEY_USAGE_NAMES = inverse(WIRE_KEY_USAGES);
const ORIGIN_NAMES = inverse(WIRE_ORIGINS);
const PROTECTION_LEVEL_NAMES = inverse(WIRE_PROTECTION_LEVELS);
const KEY_STATE_NAMES = inverse(WIRE_KEY_STATES);

export const wireKeySpec = (spec: KeySpec): string => KEY_SPEC_NAMES[spec];
export const wireKeyUsage = (usage: KeyUsage): string => KEY_USAGE_NAMES[usage];
export const wireOrigin = (origin: Origin): string => ORIGIN_NAMES[origin];
export const wireProtectionLevel = (level: ProtectionLevel): string => PROTECTION_LEVEL_NAMES[level];
export const wireKeyState = (state: KeyState): string => KEY_STATE_NAMES[state];
