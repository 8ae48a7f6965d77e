import { ck, type Template } from './binding.js';

// Attribute templates for every secret key object Arca makes in a token. Every object that
// outlives the call that made it is CKA_SENSITIVE and not CKA_EXTRACTABLE; the one exception,
// the freshly generated version key, is destroyed by the same call once it is wrapped (see
// docs/adr/0013).

const SECRET_AES_KEY: Template = [
  { type: ck.CKA_CLASS, value: ck.CKO_SECRET_KEY },
  { type: ck.CKA_KEY_TYPE, value: ck.CKK_AES },
];

const NO_OTHER_USE: Template = [
  { type: ck.CKA_SIGN, value: false },
  { type: ck.CKA_VERIFY, value: false },
  { type: ck.CKA_DERIVE, value: false },
];

/** A token-resident key that wraps and unwraps version keys and does nothing else. */
export function wrappingKeyTemplate(label: string, id: Buffer): Template {
  return [
    ...SECRET_AES_KEY,
    { type: ck.CKA_VALUE_LEN, value: 32 },
    { type: ck.CKA_TOKEN, value: true },
    { type: ck.CKA_PRIVATE, value: true },
    { type: ck.CKA_LABEL, value: label },
    { type: ck.CKA_ID, value: id },
    { type: ck.CKA_SENSITIVE, value: true },
    { type: ck.CKA_EXTRACTABLE, value: false },
    { type: ck.CKA_WRAP, value: true },
    { type: ck.CKA_UNWRAP, value: true },
    { type: ck.CKA_ENCRYPT, value: false },
    { type: ck.CKA_DECRYPT, value: false },
    ...NO_OTHER_USE,
  ];
}

/** A token-resident root key: AES-GCM seal and open, nothing else. */
export function rootKeyTemplate(label: string, id: Buffer): Template {
  return [
    ...SECRET_AES_KEY,
    { type: ck.CKA_VALUE_LEN, value: 32 },
    { type: ck.CKA_TOKEN, value: true },
    { type: ck.CKA_PRIVATE, value: true },
    { type: ck.CKA_LABEL, value: label },
    { type: ck.CKA_ID, value: id },
    { type: ck.CKA_SENSITIVE, value: true },
    { type: ck.CKA_EXTRACTABLE, value: false },
    { type: ck.CKA_WRAP, value: false },
    { type: ck.CKA_UNWRAP, value: false },
    { type: ck.CKA_ENCRYPT, value: true },
    { type: ck.CKA_DECRYPT, value: true },
    ...NO_OTHER_USE,
  ];
}

/** A version key as it is used: a session object, unwrapped, never extractable again. */
export function usableVersionKeyTemplate(): Template {
  return [
    ...SECRET_AES_KEY,
    { type: ck.CKA_TOKEN, value: false },
    { type: ck.CKA_PRIVATE, value: true },
    { type: ck.CKA_SENSITIVE, value: true },
    { type: ck.CKA_EXTRACTABLE, value: false },
    { type: ck.CKA_ENCRYPT, value: true },
    { type: ck.CKA_DECRYPT, value: true },
    { type: ck.CKA_WRAP, value: false },
    { type: ck.CKA_UNWRAP, value: false },
    ...NO_OTHER_USE,
  ];
}

/**
 * A version key just made, as a session object that may be wrapped once: extractable (so
 * C_WrapKey accepts it) but sensitive (its value can never be read). Destroyed right after.
 */
export function newVersionKeyTemplate(lengthInBytes: number): Template {
  return [
    ...SECRET_AES_KEY,
    { type: ck.CKA_VALUE_LEN, value: lengthInBytes },
    { type: ck.CKA_TOKEN, value: false },
    { type: ck.CKA_PRIVATE, value: true },
    { type: ck.CKA_SENSITIVE, value: true },
    { type: ck.CKA_EXTRACTABLE, value: true },
    { type: ck.CKA_ENCRYPT, value: true },
    { type: ck.CKA_DECRYPT, value: false },
    { type: ck.CKA_WRAP, value: false },
    { type: ck.CKA_UNWRAP, value: false },
    ...NO_OTHER_USE,
  ];
}

/** Material from outside (`protect`), entered as a session object to be wrapped, then destroyed. */
export function importedVersionKeyTemplate(value: Buffer): Template {
  return [
    ...SECRET_AES_KEY,
    { type: ck.CKA_VALUE, value },
    { type: ck.CKA_TOKEN, value: false },
    { type: ck.CKA_PRIVATE, value: true },
    { type: ck.CKA_SENSITIVE, value: true },
    { type: ck.CKA_EXTRACTABLE, value: true },
    { type: ck.CKA_ENCRYPT, value: true },
    { type: ck.CKA_DECRYPT, value: false },
    { type: ck.CKA_WRAP, value: false },
    { type: ck.CKA_UNWRAP, value: false },
    ...NO_OTHER_USE,
  ];
}

/** Finds Arca's token keys of one label. */
export function tokenKeySearch(label: string): Template {
  return [...SECRET_AES_KEY, { type: ck.CKA_TOKEN, value: true }, { type: ck.CKA_LABEL, value: label }];
}

/**
 * The private half of an import key pair: a token object (an import token outlives a restart)
 * that unwraps material brought in and does nothing else; sensitive, never extractable.
 */
export function importPrivateKeyTemplate(label: string, id: Buffer): Template {
  return [
    { type: ck.CKA_CLASS, value: ck.CKO_PRIVATE_KEY },
    { type: ck.CKA_KEY_TYPE, value: ck.CKK_RSA },
    { type: ck.CKA_TOKEN, value: true },
    { type: ck.CKA_PRIVATE, value: true },
    { type: ck.CKA_LABEL, value: label },
    { type: ck.CKA_ID, value: id },
    { type: ck.CKA_SENSITIVE, value: true },
    { type: ck.CKA_EXTRACTABLE, value: false },
    { type: ck.CKA_UNWRAP, value: true },
    { type: ck.CKA_DECRYPT, value: false },
    { type: ck.CKA_SIGN, value: false },
    { type: ck.CKA_DERIVE, value: false },
  ];
}

/** The public half: read once for its modulus and exponent, then destroyed. */
export function importPublicKeyTemplate(modulusBits: number): Template {
  return [
    { type: ck.CKA_CLASS, value: ck.CKO_PUBLIC_KEY },
    { type: ck.CKA_KEY_TYPE, value: ck.CKK_RSA },
    { type: ck.CKA_TOKEN, value: false },
    { type: ck.CKA_MODULUS_BITS, value: modulusBits },
    { type: ck.CKA_PUBLIC_EXPONENT, value: Buffer.of(0x01, 0x00, 0x01) },
    { type: ck.CKA_WRAP, value: true },
    { type: ck.CKA_ENCRYPT, value: false },
    { type: ck.CKA_VERIFY, value: false },
  ];
}

/** An import key pair's private key, found by its label. */
export function importKeySearch(label: string): Template {
  return [
    { type: ck.CKA_CLASS, value: ck.CKO_PRIVATE_KEY },
    { type: ck.CKA_KEY_TYPE, value: ck.CKK_RSA },
    { type: ck.CKA_TOKEN, value: true },
    { type: ck.CKA_LABEL, value: label },
  ];
}

/**
 * Material unwrapped from an import: like a new version key, wrapped once and destroyed; it may
 * also sign, for the one CMAC that commits to the material (docs/adr/0020).
 */
export function importedWrappedVersionKeyTemplate(): Template {
  return newVersionKeyTemplate(0)
    .filter((attribute) => attribute.type !== ck.CKA_VALUE_LEN)
    .map((attribute) => (attribute.type === ck.CKA_SIGN ? { type: ck.CKA_SIGN, value: true } : attribute));
}

/** Every import key pair's private key in the token (to sweep the expired ones). */
export function allImportKeysSearch(): Template {
  return [
    { type: ck.CKA_CLASS, value: ck.CKO_PRIVATE_KEY },
    { type: ck.CKA_KEY_TYPE, value: ck.CKK_RSA },
    { type: ck.CKA_TOKEN, value: true },
  ];
}
