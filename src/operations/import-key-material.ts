import { keyArn } from '../domain/arn.js';
import { authorize } from './authorization.js';
import { timingSafeEqual } from 'node:crypto';
import { KmsError } from '../domain/errors.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import { reviseKey, type Key } from '../domain/key.js';
import { profileOf } from '../domain/key-spec.js';
import { KeyState, StateRule } from '../domain/key-state.js';
import type { InDeviceImporter } from '../domain/ports.js';
import { DEVICE_COMMITMENT_MESSAGE_PREFIX, DEVICE_MATERIAL_COMMITMENT_PURPOSE, MATERIAL_COMMITMENT_PURPOSE } from '../domain/wrapping.js';
import { openImportToken, openInDeviceImportToken } from './import-token.js';
import { useKey } from './key-access.js';
import { importedVersionOf, requireExternal, storeMaterial } from './key-material.js';
import { unwrapKeyMaterial } from './key-wrapping.js';
import { defineOperation, type OperationContext } from './operation.js';

export interface ImportKeyMaterialInput {
  readonly keyId: string;
  /** The wrapped material as sent (base64). */
  readonly encryptedKeyMaterial: string;
  readonly importToken: string;
  /** Unix seconds; 0 means the material never expires. */
  readonly keyMaterialExpireUnix: number;
}

const MAX_ATTEMPTS = 3;

/**
 * Unwraps material with the private key sealed in the token, checks its size for the key spec,
 * and seals it under the key's one version id (so ciphertexts made before a deletion or expiry
 * open again). The first import fixes the material for good: a keyed commitment to it is kept,
 * and any later import must match it. Every refusal leaves the key as it was. For an HSM key
 * all of this happens inside the token (importInDevice).
 */
export const importKeyMaterial = defineOperation('ImportKeyMaterial', async (context, input: ImportKeyMaterialInput): Promise<void> => {
  const nowMs = context.clock.now();
  const expireTime = expireTimeOf(input.keyMaterialExpireUnix, nowMs);
  for (let attempt = 1; ; attempt++) {
    const key = await context.keys.resolve(input.keyId);
    // Permission first: a caller who may not act on the key must not learn its origin.
    authorize(context.caller, 'ImportKeyMaterial', keyArn(context.keys.scope, key.keyId));
    requireExternal(key);
    await useKey(context, key.keyId, 'ImportKeyMaterial', StateRule.ImportMaterial);
    const inDevice = context.keys.protectorFor(key.protectionLevel).inDeviceImport;
    if (inDevice) {
      if (await importInDevice(context, key, inDevice, input, nowMs, expireTime)) return;
      if (attempt >= MAX_ATTEMPTS) throw new KmsError('RejectedConcurrentModification');
      continue;
    }
    const material = await unwrapWithToken(context, key, input, nowMs);
    try {
      const commitment = await context.secrets.digest(material.unsafeReveal(), MATERIAL_COMMITMENT_PURPOSE, key.keyId);
      const version = await importedVersionOf(context.keys, key);
      if (version.materialCommitment && !timingSafeEqual(version.materialCommitment, commitment)) throw new KmsError('InvalidKeyMaterial');
      const sealed = await context.keys.protectorFor(key.protectionLevel).protect(material, version.keyVersionId);
      const next = reviseKey(key, {
        keyState: key.keyState === KeyState.PendingImport ? KeyState.Enabled : key.keyState,
        materialExpireTime: expireTime,
      });
      if (await storeMaterial(context.keys, key, next, { ...version, material: sealed, materialCommitment: commitment })) {
        context.audit.keyVersionId = version.keyVersionId;
        return;
      }
    } finally {
      material.wipe();
    }
    if (attempt >= MAX_ATTEMPTS) throw new KmsError('RejectedConcurrentModification');
  }
});

/**
 * The HSM path: the token unwraps the material with the pair the ImportToken names, wraps it for
 * storage and computes a CMAC with it over a message bound to the key id; that CMAC, digested
 * under the root key, is the commitment. Arca never holds the material. The pair is destroyed
 * once the material is stored. False when another writer changed the key first.
 */
async function importInDevice(
  context: OperationContext,
  key: Key,
  importer: InDeviceImporter,
  input: ImportKeyMaterialInput,
  nowMs: number,
  expireTime: number | null,
): Promise<boolean> {
  const token = await openInDeviceImportToken(context.secrets, key.keyId, input.importToken, nowMs);
  const wrapped = decodeWrapped(input.encryptedKeyMaterial);
  const pair = { keyId: key.keyId, pairId: token.pairId, expiresAtMs: token.expiresAtMs };
  const version = await importedVersionOf(context.keys, key);
  const message = Buffer.from(DEVICE_COMMITMENT_MESSAGE_PREFIX + key.keyId, 'utf8');
  const imported = await importer.importWrapped(pair, version.keyVersionId, wrapped, message);
  const commitment = await context.secrets.digest(imported.commitment, DEVICE_MATERIAL_COMMITMENT_PURPOSE, key.keyId);
  if (version.materialCommitment && !timingSafeEqual(version.materialCommitment, commitment)) throw new KmsError('InvalidKeyMaterial');
  const next = reviseKey(key, {
    keyState: key.keyState === KeyState.PendingImport ? KeyState.Enabled : key.keyState,
    materialExpireTime: expireTime,
  });
  if (!(await storeMaterial(context.keys, key, next, { ...version, material: imported.material, materialCommitment: commitment }))) return false;
  context.audit.keyVersionId = version.keyVersionId;
  // The import stands even if the token cannot destroy the pair now: the pair expires with its
  // ImportToken, and the next GetParametersForImport sweeps it.
  await importer.deleteImportKeyPair(pair).catch(() => undefined);
  return true;
}

/** The material, unwrapped with the private key the token carries for this key. */
async function unwrapWithToken(context: OperationContext, key: Key, input: ImportKeyMaterialInput, nowMs: number): Promise<SecretBytes> {
  const token = await openImportToken(context.secrets, key.keyId, input.importToken, nowMs);
  try {
    const wrapped = decodeWrapped(input.encryptedKeyMaterial);
    return unwrapKeyMaterial(token.scheme, token.privateKey, wrapped, profileOf(key.keySpec).materialLengthInBytes);
  } finally {
    token.privateKey.wipe();
  }
}

/** 9999-12-31T23:59:59Z: the last instant the wire's date format can show. */
const MAX_EXPIRE_UNIX = 253_402_300_799;

/** KeyMaterialExpireUnix: 0 for never, else a time after now; InvalidParameter otherwise. */
function expireTimeOf(expireUnix: number, nowMs: number): number | null {
  if (expireUnix === 0) return null;
  if (!Number.isSafeInteger(expireUnix) || expireUnix < 0 || expireUnix > MAX_EXPIRE_UNIX || expireUnix * 1000 <= nowMs) {
    throw new KmsError('InvalidParameter', 'KeyMaterialExpireUnix');
  }
  return expireUnix * 1000;
}

/** Base64 as sent; anything that is not is material that does not unwrap. */
function decodeWrapped(text: string): Buffer {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0 || bytes.toString('base64') !== text) throw new KmsError('InvalidKeyMaterial');
  return bytes;
}
