// The one file that imports the native PKCS#11 binding (pkcs11js). Everything else in Arca sees
// the narrow, typed surface below: the constants it uses and the `Pkcs11Module` shape.
import pkcs11js from 'pkcs11js';

export type Handle = Buffer;
export type Pkcs11Module = InstanceType<typeof pkcs11js.PKCS11>;
export type Mechanism = pkcs11js.Mechanism;
/**
 * One attribute of a template. An array attribute (CKA_UNWRAP_TEMPLATE) holds a template of its
 * own: only the patched binding passes those (patches/pkcs11js-2.1.7-nested-templates.patch).
 */
export interface Attribute {
  readonly type: number;
  readonly value?: number | boolean | string | Buffer | readonly Attribute[];
}
export type Template = readonly Attribute[];
export type GcmParams = pkcs11js.GcmParams;
export type RsaOaepParams = pkcs11js.RsaOAEP;
export type KeyPair = pkcs11js.KeyPair;

export const ck = {
  CKF_OS_LOCKING_OK: pkcs11js.CKF_OS_LOCKING_OK,
  CKF_SERIAL_SESSION: pkcs11js.CKF_SERIAL_SESSION,
  CKF_RW_SESSION: pkcs11js.CKF_RW_SESSION,
  CKU_USER: pkcs11js.CKU_USER,
  CKO_SECRET_KEY: pkcs11js.CKO_SECRET_KEY,
  CKK_AES: pkcs11js.CKK_AES,
  CKK_RSA: pkcs11js.CKK_RSA,
  CKO_PRIVATE_KEY: pkcs11js.CKO_PRIVATE_KEY,
  CKO_PUBLIC_KEY: pkcs11js.CKO_PUBLIC_KEY,
  CKA_MODULUS: pkcs11js.CKA_MODULUS,
  CKA_MODULUS_BITS: pkcs11js.CKA_MODULUS_BITS,
  CKA_PUBLIC_EXPONENT: pkcs11js.CKA_PUBLIC_EXPONENT,
  CKA_CLASS: pkcs11js.CKA_CLASS,
  CKA_KEY_TYPE: pkcs11js.CKA_KEY_TYPE,
  CKA_VALUE: pkcs11js.CKA_VALUE,
  CKA_VALUE_LEN: pkcs11js.CKA_VALUE_LEN,
  CKA_TOKEN: pkcs11js.CKA_TOKEN,
  CKA_PRIVATE: pkcs11js.CKA_PRIVATE,
  CKA_LABEL: pkcs11js.CKA_LABEL,
  CKA_ID: pkcs11js.CKA_ID,
  CKA_SENSITIVE: pkcs11js.CKA_SENSITIVE,
  CKA_EXTRACTABLE: pkcs11js.CKA_EXTRACTABLE,
  CKA_ENCRYPT: pkcs11js.CKA_ENCRYPT,
  CKA_DECRYPT: pkcs11js.CKA_DECRYPT,
  CKA_WRAP: pkcs11js.CKA_WRAP,
  CKA_UNWRAP: pkcs11js.CKA_UNWRAP,
  CKA_SIGN: pkcs11js.CKA_SIGN,
  CKA_VERIFY: pkcs11js.CKA_VERIFY,
  CKA_DERIVE: pkcs11js.CKA_DERIVE,
  CKA_MODIFIABLE: pkcs11js.CKA_MODIFIABLE,
  CKA_COPYABLE: pkcs11js.CKA_COPYABLE,
  CKA_TRUSTED: pkcs11js.CKA_TRUSTED,
  CKA_WRAP_WITH_TRUSTED: pkcs11js.CKA_WRAP_WITH_TRUSTED,
  CKA_UNWRAP_TEMPLATE: pkcs11js.CKA_UNWRAP_TEMPLATE,
  CKM_AES_KEY_GEN: pkcs11js.CKM_AES_KEY_GEN,
  CKM_AES_GCM: pkcs11js.CKM_AES_GCM,
  CKM_AES_KEY_WRAP_PAD: pkcs11js.CKM_AES_KEY_WRAP_PAD,
  CKM_RSA_PKCS_OAEP: pkcs11js.CKM_RSA_PKCS_OAEP,
  CKM_RSA_PKCS_KEY_PAIR_GEN: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN,
  CKM_SHA_1: pkcs11js.CKM_SHA_1,
  CKM_AES_CMAC: pkcs11js.CKM_AES_CMAC,
  CKG_MGF1_SHA1: pkcs11js.CKG_MGF1_SHA1,
  // CKZ_DATA_SPECIFIED (PKCS#11 2.40 §2.1.8), which the binding does not export: the OAEP label
  // source; with no source data the label is empty.
  CKZ_DATA_SPECIFIED: 1,
  CK_PARAMS_RSA_OAEP: pkcs11js.CK_PARAMS_RSA_OAEP,
  CK_PARAMS_GCM: pkcs11js.CK_PARAMS_GCM,
  CKR_USER_ALREADY_LOGGED_IN: pkcs11js.CKR_USER_ALREADY_LOGGED_IN,
  CKR_WRAPPED_KEY_INVALID: pkcs11js.CKR_WRAPPED_KEY_INVALID,
  CKR_WRAPPED_KEY_LEN_RANGE: pkcs11js.CKR_WRAPPED_KEY_LEN_RANGE,
  CKR_ENCRYPTED_DATA_INVALID: pkcs11js.CKR_ENCRYPTED_DATA_INVALID,
  CKR_GENERAL_ERROR: pkcs11js.CKR_GENERAL_ERROR,
  CKR_FUNCTION_FAILED: pkcs11js.CKR_FUNCTION_FAILED,
  CKR_CRYPTOKI_ALREADY_INITIALIZED: pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED,
  CKR_TEMPLATE_INCONSISTENT: pkcs11js.CKR_TEMPLATE_INCONSISTENT,
  CKR_ATTRIBUTE_VALUE_INVALID: pkcs11js.CKR_ATTRIBUTE_VALUE_INVALID,
} as const;

/** Whether the loaded binding carries Arca's patch (scripts/patch-pkcs11js.mjs): it takes nested templates. */
export function bindingTakesNestedTemplates(): boolean {
  return (pkcs11js as { ARCA_PATCH_NESTED_TEMPLATES?: unknown }).ARCA_PATCH_NESTED_TEMPLATES === true;
}

/**
 * Loads the PKCS#11 library at `modulePath`; C_Initialize is the caller's. Refuses an unpatched
 * binding: it cannot give the wrapping keys their unwrap template, and aborts the process when
 * handed one (docs/adr/0013).
 */
export function loadModule(modulePath: string): Pkcs11Module {
  if (!bindingTakesNestedTemplates())
    throw new Error("the pkcs11js binding lacks Arca's nested-template patch: run `node scripts/patch-pkcs11js.mjs` (npm install runs it)");
  const module = new pkcs11js.PKCS11();
  module.load(modulePath);
  return module;
}

/**
 * A template as the binding's types name it. The binding's declarations know no nested
 * template; the patched binding (checked by `loadModule`) passes them.
 */
export function bindingTemplate(template: Template): pkcs11js.Template {
  return template as unknown as pkcs11js.Template;
}

/** The CKR_* return value a binding error carries, or undefined for an error that is not one. */
export function returnValueOf(error: unknown): number | undefined {
  return error instanceof pkcs11js.Pkcs11Error ? error.code : undefined;
}

/** The CKR_* name of a return value, for logs (`0x…` when the binding does not know it). */
export function returnValueName(code: number): string {
  for (const [name, value] of Object.entries(pkcs11js)) {
    if (name.startsWith('CKR_') && value === code) return name;
  }
  return `0x${code.toString(16)}`;
}

/** CKM_* names of mechanism numbers, for logs and the mechanism report. */
export function mechanismName(mechanism: number): string {
  for (const [name, value] of Object.entries(pkcs11js)) {
    if (name.startsWith('CKM_') && value === mechanism) return name;
  }
  return `0x${mechanism.toString(16)}`;
}
