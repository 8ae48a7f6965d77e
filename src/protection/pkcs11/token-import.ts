import { createPublicKey } from 'node:crypto';
import { KmsError } from '../../domain/errors.js';
import type { ProtectedMaterial } from '../../domain/key.js';
import type { InDeviceImportedMaterial, InDeviceImporter, InDeviceImportPair } from '../../domain/ports.js';
import { ck, returnValueOf, type Handle } from './binding.js';
import { AES_CMAC, AES_CMAC_LENGTH, RSA_KEY_PAIR_GEN, rsaOaepSha1Mechanism } from './mechanisms.js';
import type { Pkcs11Token } from './pkcs11-token.js';
import {
  allImportKeysSearch,
  importedWrappedVersionKeyTemplate,
  importKeySearch,
  importPrivateKeyTemplate,
  importPublicKeyTemplate,
} from './templates.js';
import { ImportedMaterialInvalidError, ImportKeyMissingError } from './token-errors.js';
import { newTokenKeyId } from './token-keys.js';
import type { TokenSession } from './token-session.js';
import { type WrappingKeys, WrongKeyLengthError } from './wrapping-keys.js';

/**
 * Wrapping algorithms (Alibaba's names) whose unwrapping the token does itself, for material
 * brought into an HSM key: SoftHSM2 2.6 unwraps RSA-OAEP with SHA-1 and an empty label only.
 */
export const TOKEN_IMPORT_ALGORITHMS = ['RSAES_OAEP_SHA_1'] as const;
export type TokenImportAlgorithm = (typeof TOKEN_IMPORT_ALGORITHMS)[number];
export const IMPORT_KEY_BITS = 2048;

/** Mechanisms for bringing material in: the import key pair, unwrapping it, committing to it. */
const IMPORT_MECHANISMS = [ck.CKM_RSA_PKCS_KEY_PAIR_GEN, ck.CKM_RSA_PKCS_OAEP, ck.CKM_AES_CMAC];

/** Whether the token offers every mechanism importing needs (else EXTERNAL HSM keys are refused). */
export function tokenCanImport(token: Pkcs11Token): boolean {
  return IMPORT_MECHANISMS.every((mechanism) => token.hasMechanism(mechanism));
}

/** An RSA key pair whose private half lives in the token, to bring material in. */
export interface ImportKeyPair {
  readonly label: string;
  /** The public key, DER SubjectPublicKeyInfo, for the party that wraps the material. */
  readonly publicKeySpki: Buffer;
}

/** Material unwrapped in the token, as stored, with the token's CMAC committing to it. */
export interface TokenImportedMaterial {
  readonly material: ProtectedMaterial;
  readonly commitment: Buffer;
}

/** Import key pairs one key may have in the token at once (older ones are destroyed first). */
export const MAX_IMPORT_KEY_PAIRS_PER_KEY = 4;
/** Import key pairs the token holds at most, over all keys (the oldest are destroyed first). */
export const MAX_IMPORT_KEY_PAIRS = 256;

const LABEL_PREFIX = 'arca-import/';

/** CKA_LABEL of a pair: the key, the expiry and the random id, so a sweep needs nothing else. */
export function importKeyLabel(pair: InDeviceImportPair): string {
  return `${LABEL_PREFIX}${pair.keyId}/${pair.expiresAtMs}/${pair.pairId}`;
}

export function parseImportKeyLabel(label: string): InDeviceImportPair | undefined {
  if (!label.startsWith(LABEL_PREFIX)) return undefined;
  const [keyId, expires, pairId, ...rest] = label.slice(LABEL_PREFIX.length).split('/');
  if (keyId === undefined || expires === undefined || pairId === undefined || rest.length > 0 || !/^\d{1,16}$/.test(expires))
    return undefined;
  return { keyId, pairId, expiresAtMs: Number(expires) };
}

/**
 * The labels to destroy before a new pair for `keyId` is made at `nowMs`: expired pairs, then
 * the oldest of the key's pairs and of all pairs, so that with the new one the bounds hold.
 * Labels Arca did not make are left alone.
 */
export function importKeyLabelsToSweep(labels: readonly string[], keyId: string, nowMs: number): string[] {
  const live: { label: string; pair: InDeviceImportPair }[] = [];
  const doomed: string[] = [];
  for (const label of labels) {
    const pair = parseImportKeyLabel(label);
    if (!pair) continue;
    if (pair.expiresAtMs <= nowMs) doomed.push(label);
    else live.push({ label, pair });
  }
  live.sort((a, b) => a.pair.expiresAtMs - b.pair.expiresAtMs);
  const ofKey = live.filter(({ pair }) => pair.keyId === keyId);
  const overKey = ofKey.slice(0, Math.max(0, ofKey.length - (MAX_IMPORT_KEY_PAIRS_PER_KEY - 1))).map(({ label }) => label);
  doomed.push(...overKey);
  const rest = live.filter(({ label }) => !overKey.includes(label));
  doomed.push(...rest.slice(0, Math.max(0, rest.length - (MAX_IMPORT_KEY_PAIRS - 1))).map(({ label }) => label));
  return doomed;
}

/**
 * The import key pairs in the token, by CKA_LABEL: made there, used there to unwrap material
 * brought in straight into the wrap-and-destroy path of new version keys, and destroyed.
 */
export class TokenImportKeyPairs {
  readonly #token: Pkcs11Token;
  readonly #wrappingKeys: WrappingKeys;

  constructor(token: Pkcs11Token, wrappingKeys: WrappingKeys) {
    this.#token = token;
    this.#wrappingKeys = wrappingKeys;
  }

  /**
   * Makes an RSA-2048 key pair for bringing material in: the private key a token object labelled
   * `label` (sensitive, never extractable, unwrap only), the public key returned and not kept.
   */
  async create(label: string): Promise<ImportKeyPair> {
    return this.#token.runAsOwner('create an import key pair', async (session) => {
      const pair = await session.generateKeyPair(
        RSA_KEY_PAIR_GEN,
        importPublicKeyTemplate(IMPORT_KEY_BITS),
        importPrivateKeyTemplate(label, newTokenKeyId()),
      );
      try {
        return { label, publicKeySpki: readPublicKeySpki(session, pair.publicKey) };
      } finally {
        session.destroyObject(pair.publicKey);
      }
    });
  }

  /**
   * Material brought in for an HSM key version, unwrapped inside the token by the import key
   * pair labelled `importKeyLabel` and wrapped at once by the wrapping key: its plaintext never
   * leaves the token. The commitment is CKM_AES_CMAC keyed by the material over
   * `commitmentMessage`, computed in the token too. Throws `ImportedMaterialInvalidError` when
   * the bytes do not unwrap, `ImportKeyMissingError` when no import key has that label.
   */
  async importWrapped(
    keyVersionId: string,
    importKeyLabel: string,
    algorithm: TokenImportAlgorithm,
    encryptedKeyMaterial: Buffer,
    commitmentMessage: Buffer,
  ): Promise<TokenImportedMaterial> {
    if (!TOKEN_IMPORT_ALGORITHMS.includes(algorithm)) throw new Error(`the token unwraps ${TOKEN_IMPORT_ALGORITHMS.join(', ')} only`);
    // Precondition: exactly one RSA block, checked before the binding sees it.
    if (encryptedKeyMaterial.length !== IMPORT_KEY_BITS / 8) throw new ImportedMaterialInvalidError();
    return this.#token.runAsOwner('import wrapped material', async (session) => {
      const [privateKey] = session.findObjects(importKeySearch(importKeyLabel));
      if (privateKey === undefined) throw new ImportKeyMissingError(importKeyLabel);
      let commitment: Buffer | undefined;
      try {
        const material = await this.#wrappingKeys.wrapNew(
          session,
          keyVersionId,
          async (wrap) => {
            try {
              return await session.unwrapKey(
                rsaOaepSha1Mechanism(),
                privateKey,
                encryptedKeyMaterial,
                importedWrappedVersionKeyTemplate(wrap),
              );
            } catch (error) {
              if (meansImportRefused(error)) throw new ImportedMaterialInvalidError();
              throw error;
            }
          },
          async (key) => {
            commitment = await session.sign(AES_CMAC, key, commitmentMessage, AES_CMAC_LENGTH);
          },
        );
        if (!commitment) throw new Error('the token gave no commitment');
        return { material, commitment };
      } catch (error) {
        if (error instanceof WrongKeyLengthError) throw new ImportedMaterialInvalidError();
        throw error;
      }
    });
  }

  /** The labels of every import key pair in the token. */
  async labels(): Promise<string[]> {
    return this.#token.runAsOwner('list import key pairs', (session) =>
      Promise.resolve(
        session
          .findObjects(allImportKeysSearch())
          .map((handle) => session.getAttributes(handle, [ck.CKA_LABEL]).get(ck.CKA_LABEL)?.toString('utf8') ?? ''),
      ),
    );
  }

  /** Destroys the import key pair labelled `label` (after the import, or when its token expires). */
  async destroy(label: string): Promise<void> {
    await this.#token.runAsOwner('delete an import key pair', (session) => {
      for (const handle of session.findObjects(importKeySearch(label))) session.destroyObject(handle);
      return Promise.resolve();
    });
  }
}

/** The public key of a pair, as DER SubjectPublicKeyInfo, from its modulus and exponent. */
function readPublicKeySpki(session: TokenSession, publicKey: Handle): Buffer {
  const attributes = session.getAttributes(publicKey, [ck.CKA_MODULUS, ck.CKA_PUBLIC_EXPONENT]);
  const modulus = attributes.get(ck.CKA_MODULUS);
  const exponent = attributes.get(ck.CKA_PUBLIC_EXPONENT);
  if (!modulus || !exponent) throw new Error('the token did not give the public key');
  const key = createPublicKey({ key: { kty: 'RSA', n: modulus.toString('base64url'), e: exponent.toString('base64url') }, format: 'jwk' });
  return key.export({ type: 'spki', format: 'der' });
}

/**
 * Return values of an RSA-OAEP C_UnwrapKey that mean the wrapped bytes are at fault. SoftHSM2
 * answers CKR_GENERAL_ERROR for a block that does not decode, so that counts here too (at this one
 * step a vanished token would be reported as bad material, not as a 503).
 */
const IMPORT_REFUSED = new Set<number>([
  ck.CKR_WRAPPED_KEY_INVALID,
  ck.CKR_WRAPPED_KEY_LEN_RANGE,
  ck.CKR_ENCRYPTED_DATA_INVALID,
  ck.CKR_GENERAL_ERROR,
  ck.CKR_FUNCTION_FAILED,
]);

function meansImportRefused(error: unknown): boolean {
  const code = returnValueOf(error);
  return code !== undefined && IMPORT_REFUSED.has(code);
}

/**
 * Bring-your-own-key for HSM keys (docs/adr/0020): the wrapping key pair is made in the token
 * and its private key never leaves it; the material is unwrapped there (RSA-OAEP SHA-1, what
 * SoftHSM2 2.6 unwraps) and wrapped at once for storage, and the commitment to it is a CMAC the
 * token computes with it.
 */
export class TokenImporter implements InDeviceImporter {
  readonly scheme = { keySpec: 'RSA_2048', algorithm: 'RSAES_OAEP_SHA_1' } as const;
  readonly #pairs: TokenImportKeyPairs;

  constructor(pairs: TokenImportKeyPairs) {
    this.#pairs = pairs;
  }

  async createImportKeyPair(pair: InDeviceImportPair, nowMs: number): Promise<Buffer> {
    const labels = await this.#pairs.labels();
    for (const label of importKeyLabelsToSweep(labels, pair.keyId, nowMs)) await this.#pairs.destroy(label);
    return (await this.#pairs.create(importKeyLabel(pair))).publicKeySpki;
  }

  async importWrapped(
    pair: InDeviceImportPair,
    keyVersionId: string,
    encryptedKeyMaterial: Buffer,
    commitmentMessage: Buffer,
  ): Promise<InDeviceImportedMaterial> {
    try {
      return await this.#pairs.importWrapped(
        keyVersionId,
        importKeyLabel(pair),
        this.scheme.algorithm,
        encryptedKeyMaterial,
        commitmentMessage,
      );
    } catch (error) {
      if (error instanceof ImportKeyMissingError) throw new KmsError('InvalidImportToken');
      if (error instanceof ImportedMaterialInvalidError) throw new KmsError('InvalidKeyMaterial');
      throw error;
    }
  }

  async deleteImportKeyPair(pair: InDeviceImportPair): Promise<void> {
    await this.#pairs.destroy(importKeyLabel(pair));
  }
}
