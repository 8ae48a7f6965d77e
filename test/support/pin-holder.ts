// Someone who holds the token's user PIN and a copy of arca.db, and tries to get an HSM key
// version's value out of the token (issue 16). Everything goes through the PKCS#11 library
// itself (the pkcs11js binding, nothing of Arca's adapter), as such a person would use it. Also the fixtures of a data
// directory made before issue 16: its wrapping key had no unwrap template and could be changed.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pkcs11js from 'pkcs11js';
import { checkAdditionalData, decodeWrappedMaterial, encodeWrappedMaterial } from '../../src/protection/pkcs11/wrapped-material.js';
import { newTokenKeyId } from '../../src/protection/pkcs11/token-keys.js';
import { TEST_SO_PIN, type SoftHsmToken } from './softhsm.js';

type Handle = Buffer;
type Template = pkcs11js.Template;
const ck = pkcs11js;

/** PKCS#11 2.40's CKR_ACTION_PROHIBITED (0x1B), which pkcs11js 2.1.7 does not name. */
export const CKR_ACTION_PROHIBITED = 0x1b;
const KEY_WRAP_PAD_IV = Buffer.from('a65959a6', 'hex');

const SECRET_AES_KEY = [
  { type: ck.CKA_CLASS, value: ck.CKO_SECRET_KEY },
  { type: ck.CKA_KEY_TYPE, value: ck.CKK_AES },
];

/** A logged-in session of the PIN's holder; `close` ends it (and the library, when it started it). */
export interface PinSession {
  readonly module: pkcs11js.PKCS11;
  readonly session: Handle;
  close(): void;
}

export function openPinSession(token: SoftHsmToken): PinSession {
  return openSession(token, ck.CKU_USER, token.pin);
}

/** A session of the token's security officer (who alone may make a CKA_TRUSTED key). */
export function openSoSession(token: SoftHsmToken): PinSession {
  return openSession(token, ck.CKU_SO, TEST_SO_PIN);
}

function openSession(token: SoftHsmToken, userType: number, pin: string): PinSession {
  const module = new pkcs11js.PKCS11();
  module.load(token.modulePath);
  let initializedHere = true;
  try {
    module.C_Initialize({ flags: ck.CKF_OS_LOCKING_OK });
  } catch (error) {
    if (codeOf(error) !== ck.CKR_CRYPTOKI_ALREADY_INITIALIZED) throw error;
    initializedHere = false; // an adapter in this process did it
  }
  const slot = module.C_GetSlotList(true).find((s) => module.C_GetTokenInfo(s).label.trimEnd() === token.tokenLabel);
  if (slot === undefined) throw new Error(`no token ${token.tokenLabel}`);
  const session = module.C_OpenSession(slot, ck.CKF_SERIAL_SESSION | ck.CKF_RW_SESSION);
  try {
    module.C_Login(session, userType, pin);
  } catch (error) {
    if (codeOf(error) !== ck.CKR_USER_ALREADY_LOGGED_IN) throw error;
  }
  return {
    module,
    session,
    close: () => {
      module.C_CloseSession(session);
      if (initializedHere) module.C_Finalize();
    },
  };
}

/** Every HSM version's stored material in a copy of arca.db, by version id. */
export function storedHsmMaterial(databasePath: string): Map<string, Buffer> {
  const db = new Database(databasePath, { readonly: true });
  try {
    const rows = db
      .prepare("SELECT key_version_id AS id, sealed_material AS sealed FROM key_versions WHERE protection_kind = 'pkcs11-wrapped'")
      .all() as { id: string; sealed: Buffer }[];
    return new Map(rows.map((row) => [row.id, row.sealed]));
  } finally {
    db.close();
  }
}

/** One try at the version's value: what it got out, or the return value the token refused it with. */
export interface AttackOutcome {
  readonly attack: string;
  readonly recovered?: Buffer;
  readonly refusedWith?: string;
}

/**
 * Every way the PIN's holder has to get the value of the version key that `sealed` (as stored
 * in arca.db) wraps:
 * - unwrap it as a readable key (not sensitive, extractable) and read CKA_VALUE;
 * - the same as a generic secret;
 * - unwrap it as Arca does (sensitive, not extractable), then wrap it out with a key of their own;
 * - turn on the wrapping key's CKA_DECRYPT and undo the RFC 5649 key wrap by hand with CKM_AES_ECB;
 * - copy the wrapping key with CKA_DECRYPT on and do the same with the copy.
 */
export function attackStoredVersion(pin: PinSession, sealed: Buffer): AttackOutcome[] {
  const { wrappingKeyId, wrapped } = decodeWrappedMaterial(sealed);
  const wrappingKey = findSecretKeyById(pin, wrappingKeyId);
  const attacks: [string, () => Buffer][] = [
    ['unwrap as a readable key and read CKA_VALUE', () => readValue(pin, unwrap(pin, wrappingKey, wrapped, readableTemplate(ck.CKK_AES)))],
    ['unwrap as a readable generic secret', () => readValue(pin, unwrap(pin, wrappingKey, wrapped, readableTemplate(GENERIC_SECRET)))],
    ['unwrap as Arca does, then wrap it out with an own key', () => wrapOut(pin, unwrap(pin, wrappingKey, wrapped, usableTemplate()))],
    [
      "turn on the wrapping key's CKA_DECRYPT and undo the key wrap with CKM_AES_ECB",
      () => {
        pin.module.C_SetAttributeValue(pin.session, wrappingKey, [{ type: ck.CKA_DECRYPT, value: true }]);
        return unwrapByHand(pin, wrappingKey, wrapped);
      },
    ],
    [
      'copy the wrapping key with CKA_DECRYPT and undo the key wrap with the copy',
      () => {
        const copy = pin.module.C_CopyObject(pin.session, wrappingKey, [
          { type: ck.CKA_TOKEN, value: false },
          { type: ck.CKA_DECRYPT, value: true },
        ]);
        return unwrapByHand(pin, copy, wrapped);
      },
    ],
  ];
  return attacks.map(([attack, run]) => {
    try {
      return { attack, recovered: run() };
    } catch (error) {
      const code = codeOf(error);
      if (code === undefined) throw error;
      return { attack, refusedWith: returnValueName(code) };
    }
  });
}

/**
 * The CKR_* value of a refusal. (pkcs11js 2.1.7 throws a plain Error, "CKR_…:<code>", from
 * C_SetAttributeValue, C_CopyObject and C_CreateObject, which it does not wrap as Pkcs11Error.)
 */
function codeOf(error: unknown): number | undefined {
  if (error instanceof pkcs11js.Pkcs11Error) return error.code;
  const match = error instanceof Error ? /^CKR_\w+:(\d+)/.exec(error.message) : null;
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function returnValueName(code: number): string {
  if (code === CKR_ACTION_PROHIBITED) return 'CKR_ACTION_PROHIBITED';
  const named = Object.entries(pkcs11js).find(([name, value]) => name.startsWith('CKR_') && value === code);
  return named?.[0] ?? `0x${code.toString(16)}`;
}

const GENERIC_SECRET = ck.CKK_GENERIC_SECRET;

function readableTemplate(keyType: number): Template {
  return [
    { type: ck.CKA_CLASS, value: ck.CKO_SECRET_KEY },
    { type: ck.CKA_KEY_TYPE, value: keyType },
    { type: ck.CKA_TOKEN, value: false },
    { type: ck.CKA_SENSITIVE, value: false },
    { type: ck.CKA_EXTRACTABLE, value: true },
  ];
}

function usableTemplate(): Template {
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
    { type: ck.CKA_SIGN, value: false },
    { type: ck.CKA_VERIFY, value: false },
    { type: ck.CKA_DERIVE, value: false },
  ];
}

function findSecretKeysById(pin: PinSession, id: Buffer): Handle[] {
  pin.module.C_FindObjectsInit(pin.session, [...SECRET_AES_KEY, { type: ck.CKA_TOKEN, value: true }, { type: ck.CKA_ID, value: id }]);
  const found = pin.module.C_FindObjects(pin.session, 16);
  pin.module.C_FindObjectsFinal(pin.session);
  return found;
}

function findSecretKeyById(pin: PinSession, id: Buffer): Handle {
  const [found] = findSecretKeysById(pin, id);
  if (!found) throw new Error(`no key with CKA_ID ${id.toString('hex')} in the token`);
  return found;
}

function unwrap(pin: PinSession, wrappingKey: Handle, wrapped: Buffer, template: Template): Handle {
  return pin.module.C_UnwrapKey(pin.session, { mechanism: ck.CKM_AES_KEY_WRAP_PAD }, wrappingKey, wrapped, template);
}

function readValue(pin: PinSession, key: Handle): Buffer {
  const [attribute] = pin.module.C_GetAttributeValue(pin.session, key, [{ type: ck.CKA_VALUE }]);
  if (!attribute?.value) throw new Error('the token gave no CKA_VALUE');
  return attribute.value;
}

/** Wraps `key` with a wrapping key whose value the PIN's holder chose, and unwraps it offline. */
function wrapOut(pin: PinSession, key: Handle): Buffer {
  const own = randomBytes(32);
  const ownKey = pin.module.C_CreateObject(pin.session, [
    ...SECRET_AES_KEY,
    { type: ck.CKA_VALUE, value: own },
    { type: ck.CKA_TOKEN, value: false },
    { type: ck.CKA_WRAP, value: true },
  ]);
  const wrapped = pin.module.C_WrapKey(pin.session, { mechanism: ck.CKM_AES_KEY_WRAP_PAD }, ownKey, key, Buffer.alloc(64));
  const decipher = createDecipheriv('id-aes256-wrap-pad', own, KEY_WRAP_PAD_IV);
  return Buffer.concat([decipher.update(wrapped), decipher.final()]);
}

/** RFC 5649 unwrap (RFC 3394 §2.2.2, index based) with one CKM_AES_ECB decryption per step, in the token. */
function unwrapByHand(pin: PinSession, key: Handle, wrapped: Buffer): Buffer {
  const n = wrapped.length / 8 - 1;
  let a = Buffer.from(wrapped.subarray(0, 8));
  const r = Array.from({ length: n }, (_, i) => Buffer.from(wrapped.subarray(8 * (i + 1), 8 * (i + 2))));
  for (let j = 5; j >= 0; j--) {
    for (let i = n; i >= 1; i--) {
      a.writeBigUInt64BE(a.readBigUInt64BE(0) ^ BigInt(n * j + i));
      pin.module.C_DecryptInit(pin.session, { mechanism: ECB }, key);
      const block = pin.module.C_Decrypt(pin.session, Buffer.concat([a, r[i - 1] ?? Buffer.alloc(8)]), Buffer.alloc(16));
      a = Buffer.from(block.subarray(0, 8));
      r[i - 1] = Buffer.from(block.subarray(8, 16));
    }
  }
  if (!a.subarray(0, 4).equals(KEY_WRAP_PAD_IV)) throw new Error('the key wrap did not undo');
  return Buffer.concat(r).subarray(0, a.readUInt32BE(4));
}

const ECB = ck.CKM_AES_ECB;

/**
 * Decrypts an Arca CiphertextBlob's body offline with a recovered version key: GCM encrypts with
 * AES-CTR from the counter block iv ‖ 00000002 (the tag is not checked; the plaintext is the proof).
 */
export function decryptOffline(key: Buffer, sealed: Buffer): string {
  const counter = Buffer.concat([sealed.subarray(0, 12), Buffer.of(0, 0, 0, 2)]);
  const decipher = createDecipheriv('aes-256-ctr', key, counter);
  return decipher.update(sealed.subarray(12, sealed.length - 16)).toString('utf8');
}

/**
 * A wrapping key as Arca made it before issue 16 (the template of docs/adr/0013 then): no
 * CKA_UNWRAP_TEMPLATE, modifiable, copyable. Returns its CKA_ID.
 */
export function createLegacyWrappingKey(pin: PinSession, label = 'arca-wrapping-key'): Buffer {
  const id = newTokenKeyId();
  pin.module.C_GenerateKey(pin.session, { mechanism: ck.CKM_AES_KEY_GEN }, [
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
    { type: ck.CKA_SIGN, value: false },
    { type: ck.CKA_VERIFY, value: false },
    { type: ck.CKA_DERIVE, value: false },
  ]);
  return id;
}

/**
 * A version's stored material as Arca made it before issue 16, for the 32-byte key `value`:
 * entered into the token, wrapped by the legacy key, destroyed; the check value computed here.
 */
export function legacyWrappedMaterial(pin: PinSession, wrappingKeyId: Buffer, keyVersionId: string, value: Buffer): Buffer {
  const key = pin.module.C_CreateObject(pin.session, [
    ...SECRET_AES_KEY,
    { type: ck.CKA_VALUE, value },
    { type: ck.CKA_TOKEN, value: false },
    { type: ck.CKA_SENSITIVE, value: true },
    { type: ck.CKA_EXTRACTABLE, value: true },
  ]);
  try {
    const wrapped = pin.module.C_WrapKey(
      pin.session,
      { mechanism: ck.CKM_AES_KEY_WRAP_PAD },
      findSecretKeyById(pin, wrappingKeyId),
      key,
      Buffer.alloc(64),
    );
    const checkIv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', value, checkIv).setAAD(checkAdditionalData(keyVersionId));
    const check = Buffer.concat([cipher.update(Buffer.alloc(16)), cipher.final(), cipher.getAuthTag()]);
    return encodeWrappedMaterial({ wrappingKeyId, wrapped, checkIv, check });
  } finally {
    pin.module.C_DestroyObject(pin.session, key);
  }
}

/** Destroys the token keys whose CKA_ID is `id`, as an operator would with the token's tools. */
export function destroyKeysById(pin: PinSession, id: Buffer): void {
  for (const handle of findSecretKeysById(pin, id)) pin.module.C_DestroyObject(pin.session, handle);
}

/** The boolean attributes of the token key whose CKA_ID is `id`. */
export function keyFlags(pin: PinSession, id: Buffer, types: readonly number[]): Map<number, boolean> {
  const values = pin.module.C_GetAttributeValue(
    pin.session,
    findSecretKeyById(pin, id),
    types.map((type) => ({ type })),
  );
  return new Map(values.map(({ type, value }) => [type, value?.[0] === 1]));
}
