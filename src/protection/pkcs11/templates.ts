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

/**
 * A token key nobody can change or copy, whatever PIN they hold: without this the holder of the
 * user PIN could turn on CKA_DECRYPT of a wrapping key and undo the key wrap with CKM_AES_ECB by
 * hand, or copy the key with other attributes (docs/adr/0013).
 */
const LOCKED: Template = [
  { type: ck.CKA_MODIFIABLE, value: false },
  { type: ck.CKA_COPYABLE, value: false },
];

/**
 * What every key a wrapping key unwraps must be (its CKA_UNWRAP_TEMPLATE): an AES version key,
 * sensitive, never extractable, private, for nothing but encrypt and decrypt. The token refuses
 * any C_UnwrapKey whose template says otherwise (CKR_TEMPLATE_INCONSISTENT), so nothing in the
 * database can be unwrapped into a key whose value can be read or wrapped out.
 */
export function versionKeyUnwrapTemplate(): Template {
  return [
    ...SECRET_AES_KEY,
    { type: ck.CKA_PRIVATE, value: true },
    { type: ck.CKA_SENSITIVE, value: true },
    { type: ck.CKA_EXTRACTABLE, value: false },
    { type: ck.CKA_WRAP, value: false },
    { type: ck.CKA_UNWRAP, value: false },
    ...NO_OTHER_USE,
  ];
}

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
    ...LOCKED,
    { type: ck.CKA_UNWRAP_TEMPLATE, value: versionKeyUnwrapTemplate() },
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
    ...LOCKED,
  ];
}

/**
 * A version key as it is used: a session object, unwrapped, never extractable again. It says
 * everything `versionKeyUnwrapTemplate` says, as the token requires.
 */
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
 * How a version key that is about to be wrapped may be wrapped: with `wrapWithTrusted`
 * (the wrapping key is CKA_TRUSTED) the token lets only a trusted key wrap it.
 */
export interface WrapOnce {
  readonly wrapWithTrusted: boolean;
}

/**
 * The attributes of a version key that lives for one call to be wrapped: a session object,
 * extractable (so C_WrapKey accepts it) but sensitive (its value can never be read), and
 * CKA_WRAP_WITH_TRUSTED when the wrapping key is trusted. Destroyed right after.
 */
function toBeWrappedOnce({ wrapWithTrusted }: WrapOnce, decrypts: boolean): Template {
  return [
    ...SECRET_AES_KEY,
    { type: ck.CKA_TOKEN, value: false },
    { type: ck.CKA_PRIVATE, value: true },
    { type: ck.CKA_SENSITIVE, value: true },
    { type: ck.CKA_EXTRACTABLE, value: true },
    ...(wrapWithTrusted ? [{ type: ck.CKA_WRAP_WITH_TRUSTED, value: true }] : []),
    { type: ck.CKA_ENCRYPT, value: true },
    { type: ck.CKA_DECRYPT, value: decrypts },
    { type: ck.CKA_WRAP, value: false },
    { type: ck.CKA_UNWRAP, value: false },
    ...NO_OTHER_USE,
  ];
}

/** A version key just made, to be wrapped once and destroyed. */
export function newVersionKeyTemplate(lengthInBytes: number, wrap: WrapOnce): Template {
  return [{ type: ck.CKA_VALUE_LEN, value: lengthInBytes }, ...toBeWrappedOnce(wrap, false)];
}

/** Material from outside (`protect`), entered as a session object to be wrapped, then destroyed. */
export function importedVersionKeyTemplate(value: Buffer, wrap: WrapOnce): Template {
  return [{ type: ck.CKA_VALUE, value }, ...toBeWrappedOnce(wrap, false)];
}

/**
 * A version key unwrapped by a legacy wrapping key (one without an unwrap template) to be
 * wrapped again by a guarded one: it decrypts its check value first (docs/adr/0013, migration).
 */
export function rewrappedVersionKeyTemplate(wrap: WrapOnce): Template {
  return toBeWrappedOnce(wrap, true);
}

/**
 * What the holder of the PIN would ask for to read a key's value: not sensitive, extractable.
 * Arca asks for it only to see the token refuse it (the start-up probe of a wrapping key).
 */
export function readableKeyTemplate(): Template {
  return [
    ...SECRET_AES_KEY,
    { type: ck.CKA_TOKEN, value: false },
    { type: ck.CKA_PRIVATE, value: true },
    { type: ck.CKA_SENSITIVE, value: false },
    { type: ck.CKA_EXTRACTABLE, value: true },
  ];
}

/** A throwaway key of no use, wrapped by the start-up probe and destroyed. */
export function probeKeyTemplate(): Template {
  return [{ type: ck.CKA_VALUE_LEN, value: 32 }, ...toBeWrappedOnce({ wrapWithTrusted: false }, false)];
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
    // Else the PIN's holder could turn on CKA_DECRYPT and decrypt the material brought in.
    ...LOCKED,
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
export function importedWrappedVersionKeyTemplate(wrap: WrapOnce): Template {
  return toBeWrappedOnce(wrap, false).map((attribute) => (attribute.type === ck.CKA_SIGN ? { type: ck.CKA_SIGN, value: true } : attribute));
}

/** Every import key pair's private key in the token (to sweep the expired ones). */
export function allImportKeysSearch(): Template {
  return [
    { type: ck.CKA_CLASS, value: ck.CKO_PRIVATE_KEY },
    { type: ck.CKA_KEY_TYPE, value: ck.CKK_RSA },
    { type: ck.CKA_TOKEN, value: true },
  ];
}
