import { KmsError } from '../domain/errors.js';
import { KeySpec, Origin } from '../domain/key-spec.js';

/**
 * The AWS wire strings of Arca's enumerations, in one table each. An AES-256 key is AWS's
 * `SYMMETRIC_DEFAULT`; an SM4 key says `SM4` (AWS has no SM4 key spec; SYMMETRIC_DEFAULT stays its
 * encryption algorithm, the key's own symmetric cipher, as AWS's name means).
 */
const AWS_KEY_SPECS: Readonly<Record<KeySpec, string>> = {
  [KeySpec.Aes256]: 'SYMMETRIC_DEFAULT',
  [KeySpec.Sm4]: 'SM4',
};

const AWS_ORIGINS: Readonly<Record<Origin, string>> = {
  [Origin.AliyunKms]: 'AWS_KMS',
  [Origin.External]: 'EXTERNAL',
};

export const AWS_KEY_USAGE = 'ENCRYPT_DECRYPT';
export const SYMMETRIC_DEFAULT = 'SYMMETRIC_DEFAULT';

export function awsKeySpec(keySpec: KeySpec): string {
  return AWS_KEY_SPECS[keySpec];
}

export function awsOrigin(origin: Origin): string {
  return AWS_ORIGINS[origin];
}

function reverseLookup<T extends string>(table: Readonly<Record<T, string>>, wire: string): T | undefined {
  return (Object.keys(table) as T[]).find((value) => table[value] === wire);
}

/** CreateKey's KeySpec (or its older name CustomerMasterKeySpec); asymmetric and HMAC specs are not offered. */
export function keySpecFromAws(wire: string | undefined): KeySpec | undefined {
  if (wire === undefined) return undefined;
  const keySpec = reverseLookup(AWS_KEY_SPECS, wire);
  if (keySpec === undefined) throw new KmsError('ActionNotSupported', 'This KeySpec');
  return keySpec;
}

/** CreateKey's Origin: AWS_KMS or EXTERNAL; a CloudHSM or external key store is not offered. */
export function originFromAws(wire: string | undefined): Origin | undefined {
  if (wire === undefined) return undefined;
  const origin = reverseLookup(AWS_ORIGINS, wire);
  if (origin === undefined) throw new KmsError('ActionNotSupported', 'This Origin');
  return origin;
}

/** Symmetric keys encrypt and decrypt; SIGN_VERIFY, GENERATE_VERIFY_MAC and KEY_AGREEMENT need key specs Arca lacks. */
export function assertKeyUsage(wire: string | undefined): void {
  if (wire !== undefined && wire !== AWS_KEY_USAGE) throw new KmsError('InvalidInput', 'keyUsage');
}

/** The EncryptionAlgorithm members: SYMMETRIC_DEFAULT, the only one a symmetric key has. */
export function assertSymmetricAlgorithm(wire: string | undefined, member: string): void {
  if (wire !== undefined && wire !== SYMMETRIC_DEFAULT) throw new KmsError('InvalidInput', member);
}
