import { StateRule } from '../domain/key-state.js';
import { IMPORT_TOKEN_LIFETIME_MS, importSchemeOf } from '../domain/wrapping.js';
import { sealImportToken } from './import-token.js';
import { useKey } from './key-access.js';
import { requireExternal } from './key-material.js';
import { generateWrappingKeyPair } from './key-wrapping.js';
import { defineOperation } from './operation.js';

export interface GetParametersForImportInput {
  readonly keyId: string;
  readonly wrappingKeySpec: string;
  readonly wrappingAlgorithm: string;
}

export interface ImportParameters {
  readonly keyId: string;
  /** DER SubjectPublicKeyInfo of the new wrapping key. */
  readonly publicKeySpki: Buffer;
  readonly importToken: string;
  readonly tokenExpireTime: number;
}

/**
 * A fresh wrapping key pair for one EXTERNAL key, on every call. The private key leaves only
 * sealed inside the ImportToken, which is bound to the key and usable for 24 hours.
 */
export const getParametersForImport = defineOperation(
  'GetParametersForImport',
  async (context, input: GetParametersForImportInput): Promise<ImportParameters> => {
    const scheme = importSchemeOf(input.wrappingKeySpec, input.wrappingAlgorithm);
    const key = await useKey(context, input.keyId, 'GetParametersForImport', StateRule.AnyState);
    requireExternal(key);
    const pair = await generateWrappingKeyPair(scheme);
    const tokenExpireTime = context.clock.now() + IMPORT_TOKEN_LIFETIME_MS;
    try {
      const importToken = await sealImportToken(context.secrets, key.keyId, { scheme, expiresAtMs: tokenExpireTime, privateKey: pair.privateKey });
      return { keyId: key.keyId, publicKeySpki: pair.publicKeySpki, importToken, tokenExpireTime };
    } finally {
      pair.privateKey.wipe();
    }
  },
);
