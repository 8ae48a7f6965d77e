// Reads what a PKCS#11 token holds, through the library itself and independently of Arca's
// adapter: every secret key object with the attributes that say whether it could ever leave.
// In the process that runs an adapter it also sees that adapter's session objects (PKCS#11
// shows an application its own session objects); from another process, only token objects.
import { ck, loadModule, returnValueOf, type Handle, type Pkcs11Module } from '../../src/protection/pkcs11/binding.js';
import type { SoftHsmToken } from './softhsm.js';

export interface SecretKeyObject {
  readonly label: string;
  readonly onToken: boolean;
  readonly sensitive: boolean;
  readonly extractable: boolean;
}

function isTrue(value: Buffer | undefined): boolean {
  return value !== undefined && value.length > 0 && value[0] === 1;
}

function withSession<T>(token: SoftHsmToken, use: (module: Pkcs11Module, session: Handle) => T): T {
  const module = loadModule(token.modulePath);
  let initializedHere = true;
  try {
    module.C_Initialize({ flags: ck.CKF_OS_LOCKING_OK });
  } catch (error) {
    if (returnValueOf(error) !== ck.CKR_CRYPTOKI_ALREADY_INITIALIZED) throw error;
    initializedHere = false; // the adapter in this process did it; leave it initialised
  }
  try {
    const slot = module.C_GetSlotList(true).find((s) => module.C_GetTokenInfo(s).label.trimEnd() === token.tokenLabel);
    if (slot === undefined) throw new Error(`no token ${token.tokenLabel}`);
    const session = module.C_OpenSession(slot, ck.CKF_SERIAL_SESSION | ck.CKF_RW_SESSION);
    try {
      try {
        module.C_Login(session, ck.CKU_USER, token.pin);
      } catch (error) {
        if (returnValueOf(error) !== ck.CKR_USER_ALREADY_LOGGED_IN) throw error;
      }
      return use(module, session);
    } finally {
      module.C_CloseSession(session);
    }
  } finally {
    if (initializedHere) module.C_Finalize();
  }
}

/** Every secret key object the token shows this process. */
export function listSecretKeys(token: SoftHsmToken): SecretKeyObject[] {
  return listKeys(token, ck.CKO_SECRET_KEY);
}

/** Every private key object the token shows this process. */
export function listPrivateKeys(token: SoftHsmToken): SecretKeyObject[] {
  return listKeys(token, ck.CKO_PRIVATE_KEY);
}

function listKeys(token: SoftHsmToken, objectClass: number): SecretKeyObject[] {
  return withSession(token, (module, session) => {
    module.C_FindObjectsInit(session, [{ type: ck.CKA_CLASS, value: objectClass }]);
    const handles = module.C_FindObjects(session, 10_000);
    module.C_FindObjectsFinal(session);
    return handles.map((handle) => {
      const attributes = new Map(
        module
          .C_GetAttributeValue(session, handle, [
            { type: ck.CKA_LABEL },
            { type: ck.CKA_TOKEN },
            { type: ck.CKA_SENSITIVE },
            { type: ck.CKA_EXTRACTABLE },
          ])
          .map(({ type, value }) => [type, value]),
      );
      return {
        label: attributes.get(ck.CKA_LABEL)?.toString('utf8') ?? '',
        onToken: isTrue(attributes.get(ck.CKA_TOKEN)),
        sensitive: isTrue(attributes.get(ck.CKA_SENSITIVE)),
        extractable: isTrue(attributes.get(ck.CKA_EXTRACTABLE)),
      };
    });
  });
}

/** Closes every session of the token in this process: Arca's sessions and session objects vanish. */
export function closeAllSessions(token: SoftHsmToken): void {
  const module = loadModule(token.modulePath);
  const slot = module.C_GetSlotList(true).find((s) => module.C_GetTokenInfo(s).label.trimEnd() === token.tokenLabel);
  if (slot === undefined) throw new Error(`no token ${token.tokenLabel}`);
  module.C_CloseAllSessions(slot);
}
