import { timingSafeEqual } from 'node:crypto';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import { KmsError } from '../domain/errors.js';
import { reviseKey, type Key } from '../domain/key.js';
import type { KeyReference } from '../domain/key-reference.js';
import { profileOf } from '../domain/key-spec.js';
import { assertStateAllows, KeyState, StateRule } from '../domain/key-state.js';
import type { InDeviceImporter } from '../domain/ports.js';
import { DigestPurpose } from '../domain/seal-purposes.js';
import { DEVICE_COMMITMENT_MESSAGE_PREFIX } from '../domain/wrapping.js';
import { openImportToken, openInDeviceImportToken } from './import-token.js';
import { stateAt } from './key-repository.js';
import { importedVersionOf, requireExternal, retryOnConflict } from './key-material.js';
import { unwrapKeyMaterial } from './key-wrapping.js';
import { defineOperation, resource, type OperationContext } from './operation.js';

export interface ImportKeyMaterialInput {
  readonly key: KeyReference;
  /** The wrapped material as sent. */
  readonly encryptedKeyMaterial: Buffer;
  readonly importToken: Buffer;
  /** Unix seconds; 0 means the material never expires. */
  readonly keyMaterialExpireUnix: number;
}

/**
 * Unwraps material with the private key sealed in the token, checks its size for the key spec,
 * and seals it under the key's one version id (so ciphertexts made before a deletion or expiry
 * open again). The first import fixes the material for good: a keyed commitment to it is kept,
 * and any later import must match it. Every refusal leaves the key as it was. For an HSM key
 * all of this happens inside the token (importInDevice).
 */
export const importKeyMaterial = defineOperation({
  action: 'ImportKeyMaterial',
  validate: (input: ImportKeyMaterialInput, context) => void expireTimeOf(input.keyMaterialExpireUnix, context.clock.now()),
  // The state rule is judged in `run`, after the origin: the runner authorises first, so a caller
  // who may not act on the key never learns its origin, and the origin is refused before the state.
  resources: (input) => ({ key: resource.key(input.key, StateRule.AnyState) }),
  run: async (context, input, { key }): Promise<void> => {
    const nowMs = context.clock.now();
    const expireTime = expireTimeOf(input.keyMaterialExpireUnix, nowMs);
    requireExternal(key);
    await retryOnConflict(context.keys, key, async (stored) => {
      assertStateAllows(StateRule.ImportMaterial, stateAt(stored, context.clock.now()));
      const inDevice = context.keys.protectorFor(stored.protectionLevel).inDeviceImport;
      if (inDevice) return importInDevice(context, stored, inDevice, input, nowMs, expireTime);
      return importInSoftware(context, stored, input, nowMs, expireTime);
    });
  },
});

/** The software path: false when another writer changed the key first. */
async function importInSoftware(
  context: OperationContext,
  key: Key,
  input: ImportKeyMaterialInput,
  nowMs: number,
  expireTime: number | null,
): Promise<boolean> {
  const material = await unwrapWithToken(context, key, input, nowMs);
  try {
    const commitment = await context.secrets.digest(material.unsafeReveal(), DigestPurpose.MaterialCommitment, key.keyId);
    const version = await importedVersionOf(context.keys, key);
    if (version.materialCommitment && !timingSafeEqual(version.materialCommitment, commitment)) throw new KmsError('InvalidKeyMaterial');
    const sealed = await context.keys.protectorFor(key.protectionLevel).protect(material, version.keyVersionId);
    const next = reviseKey(key, {
      keyState: key.keyState === KeyState.PendingImport ? KeyState.Enabled : key.keyState,
      materialExpireTime: expireTime,
    });
    if (!(await context.keys.replaceMaterial(key, next, { ...version, material: sealed, materialCommitment: commitment }))) return false;
    context.recordKeyVersion('key', version.keyVersionId);
    return true;
  } finally {
    material.wipe();
  }
}

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
  const wrapped = nonEmptyWrapped(input.encryptedKeyMaterial);
  const pair = { keyId: key.keyId, pairId: token.pairId, expiresAtMs: token.expiresAtMs };
  const version = await importedVersionOf(context.keys, key);
  const message = Buffer.from(DEVICE_COMMITMENT_MESSAGE_PREFIX + key.keyId, 'utf8');
  const imported = await importer.importWrapped(pair, version.keyVersionId, wrapped, message);
  const commitment = await context.secrets.digest(imported.commitment, DigestPurpose.DeviceMaterialCommitment, key.keyId);
  if (version.materialCommitment && !timingSafeEqual(version.materialCommitment, commitment)) throw new KmsError('InvalidKeyMaterial');
  const next = reviseKey(key, {
    keyState: key.keyState === KeyState.PendingImport ? KeyState.Enabled : key.keyState,
    materialExpireTime: expireTime,
  });
  if (!(await context.keys.replaceMaterial(key, next, { ...version, material: imported.material, materialCommitment: commitment })))
    return false;
  context.recordKeyVersion('key', version.keyVersionId);
  // The import stands even if the token cannot destroy the pair now: the pair expires with its
  // ImportToken, and the next GetParametersForImport sweeps it.
  await importer.deleteImportKeyPair(pair).catch(() => undefined);
  return true;
}

/** The material, unwrapped with the private key the token carries for this key. */
async function unwrapWithToken(context: OperationContext, key: Key, input: ImportKeyMaterialInput, nowMs: number): Promise<SecretBytes> {
  const token = await openImportToken(context.secrets, key.keyId, input.importToken, nowMs);
  try {
    const wrapped = nonEmptyWrapped(input.encryptedKeyMaterial);
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
    throw new KmsError('InvalidInput', 'keyMaterialExpireUnix');
  }
  return expireUnix * 1000;
}

/** No bytes at all is material that does not unwrap. */
function nonEmptyWrapped(bytes: Buffer): Buffer {
  if (bytes.length === 0) throw new KmsError('InvalidKeyMaterial');
  return bytes;
}
