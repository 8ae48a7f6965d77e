import { randomBytes } from 'node:crypto';
import { KmsError } from '../domain/errors.js';
import type { Key } from '../domain/key.js';
import type { KeyReference } from '../domain/key-reference.js';
import { StateRule } from '../domain/key-state.js';
import type { InDeviceImporter } from '../domain/ports.js';
import { IMPORT_TOKEN_LIFETIME_MS, importSchemeOf, type WrappingScheme } from '../domain/wrapping.js';
import { sealImportToken, sealInDeviceImportToken } from './import-token.js';
import { requireExternal } from './key-material.js';
import { generateWrappingKeyPair } from './key-wrapping.js';
import { defineOperation, resource, type OperationContext } from './operation.js';

export interface GetParametersForImportInput {
  readonly key: KeyReference;
  readonly wrappingKeySpec: string;
  readonly wrappingAlgorithm: string;
}

export interface ImportParameters {
  readonly keyId: string;
  /** DER SubjectPublicKeyInfo of the new wrapping key. */
  readonly publicKeySpki: Buffer;
  /** Opaque bytes (the import-token layout). */
  readonly importToken: Buffer;
  readonly tokenExpireTime: number;
}

/**
 * A fresh wrapping key pair for one EXTERNAL key, on every call. The private key leaves only
 * sealed inside the ImportToken, which is bound to the key and usable for 24 hours; for an HSM
 * key it never leaves the token, and the ImportToken names it (docs/adr/0020).
 */
export const getParametersForImport = defineOperation({
  action: 'GetParametersForImport',
  validate: (input: GetParametersForImportInput) => void importSchemeOf(input.wrappingKeySpec, input.wrappingAlgorithm),
  resources: (input) => ({ key: resource.key(input.key, StateRule.AnyState) }),
  run: async (context, input, { key }): Promise<ImportParameters> => {
    const scheme = importSchemeOf(input.wrappingKeySpec, input.wrappingAlgorithm);
    requireExternal(key);
    const tokenExpireTime = context.clock.now() + IMPORT_TOKEN_LIFETIME_MS;
    const inDevice = context.keys.protectorFor(key.protectionLevel).inDeviceImport;
    if (inDevice) return inDeviceParameters(context, key, inDevice, scheme, tokenExpireTime);
    const pair = await generateWrappingKeyPair(scheme);
    try {
      const importToken = await sealImportToken(context.secrets, key.keyId, {
        scheme,
        expiresAtMs: tokenExpireTime,
        privateKey: pair.privateKey,
      });
      return { keyId: key.keyId, publicKeySpki: pair.publicKeySpki, importToken, tokenExpireTime };
    } finally {
      pair.privateKey.wipe();
    }
  },
});

/** The pair is made in the device; the ImportToken carries its random id, sealed and bound to the key. */
async function inDeviceParameters(
  context: OperationContext,
  key: Key,
  importer: InDeviceImporter,
  scheme: WrappingScheme,
  tokenExpireTime: number,
): Promise<ImportParameters> {
  const supported = importer.scheme;
  if (scheme.keySpec !== supported.keySpec || scheme.algorithm !== supported.algorithm) {
    throw new KmsError(
      'WrappingUnsupportedAtProtectionLevel',
      scheme.keySpec,
      scheme.algorithm,
      key.protectionLevel,
      supported.keySpec,
      supported.algorithm,
    );
  }
  const pairId = randomBytes(16).toString('hex');
  const publicKeySpki = await importer.createImportKeyPair({ keyId: key.keyId, pairId, expiresAtMs: tokenExpireTime }, context.clock.now());
  const importToken = await sealInDeviceImportToken(context.secrets, key.keyId, { scheme, expiresAtMs: tokenExpireTime, pairId });
  return { keyId: key.keyId, publicKeySpki, importToken, tokenExpireTime };
}
