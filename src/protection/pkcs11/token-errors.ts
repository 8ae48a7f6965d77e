import pkcs11js from 'pkcs11js';
import { returnValueName, returnValueOf } from './binding.js';

/**
 * The token cannot be reached or has lost Arca's state (sessions, logged-in user, objects):
 * removed, powered off, its store deleted, or its sessions closed under Arca. The request that
 * meets it is answered 503 `ServiceUnavailableTemporary`, and the token connection is rebuilt
 * before the next use.
 */
export class TokenUnavailableError extends Error {
  readonly returnValue: number | undefined;
  constructor(operation: string, cause: unknown) {
    const code = returnValueOf(cause);
    super(`PKCS#11 ${operation} failed: ${code === undefined ? String(cause) : returnValueName(code)}`, { cause });
    this.name = 'TokenUnavailableError';
    this.returnValue = code;
  }
}

// Return values that mean "the token, the session or an object Arca held is gone", not "this
// input is wrong". CKR_GENERAL_ERROR and CKR_FUNCTION_FAILED are here because SoftHSM2 answers
// them for every call once its token store has been deleted.
const UNAVAILABLE = new Set<number>([
  pkcs11js.CKR_DEVICE_REMOVED,
  pkcs11js.CKR_DEVICE_ERROR,
  pkcs11js.CKR_DEVICE_MEMORY,
  pkcs11js.CKR_TOKEN_NOT_PRESENT,
  pkcs11js.CKR_TOKEN_NOT_RECOGNIZED,
  pkcs11js.CKR_SESSION_HANDLE_INVALID,
  pkcs11js.CKR_SESSION_CLOSED,
  pkcs11js.CKR_SESSION_COUNT,
  pkcs11js.CKR_CRYPTOKI_NOT_INITIALIZED,
  pkcs11js.CKR_USER_NOT_LOGGED_IN,
  pkcs11js.CKR_OBJECT_HANDLE_INVALID,
  pkcs11js.CKR_KEY_HANDLE_INVALID,
  pkcs11js.CKR_WRAPPING_KEY_HANDLE_INVALID,
  pkcs11js.CKR_UNWRAPPING_KEY_HANDLE_INVALID,
  pkcs11js.CKR_SLOT_ID_INVALID,
  pkcs11js.CKR_GENERAL_ERROR,
  pkcs11js.CKR_FUNCTION_FAILED,
  pkcs11js.CKR_HOST_MEMORY,
]);

/**
 * Return values of a GCM C_Decrypt (after C_DecryptInit succeeded) that mean the ciphertext did
 * not authenticate. PKCS#11 names CKR_ENCRYPTED_DATA_INVALID; SoftHSM2 2.6 answers a bad tag
 * or wrong additional data with CKR_GENERAL_ERROR, so that counts too at this one step. A
 * removed device still says CKR_DEVICE_REMOVED / CKR_SESSION_* and stays a 503.
 */
const NOT_AUTHENTIC = new Set<number>([
  pkcs11js.CKR_ENCRYPTED_DATA_INVALID,
  pkcs11js.CKR_ENCRYPTED_DATA_LEN_RANGE,
  pkcs11js.CKR_GENERAL_ERROR,
  pkcs11js.CKR_FUNCTION_FAILED,
]);

export function meansTokenUnavailable(error: unknown): boolean {
  const code = returnValueOf(error);
  return code !== undefined && UNAVAILABLE.has(code);
}

export function meansNotAuthentic(error: unknown): boolean {
  const code = returnValueOf(error);
  return code !== undefined && NOT_AUTHENTIC.has(code);
}

/** Material brought in that the token would not unwrap: not wrapped for this key pair, or malformed. */
export class ImportedMaterialInvalidError extends Error {
  constructor() {
    super('the wrapped key material does not unwrap with this import key');
    this.name = 'ImportedMaterialInvalidError';
  }
}

/** No import key pair in the token has the label (used up, swept, or never made here). */
export class ImportKeyMissingError extends Error {
  constructor(label: string) {
    super(`the token holds no import key labelled "${label}"`);
    this.name = 'ImportKeyMissingError';
  }
}
