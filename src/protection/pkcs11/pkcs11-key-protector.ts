import { createPublicKey } from 'node:crypto';
import type { Logger } from 'pino';
import { type Aead, AeadAlgorithm, AeadAuthenticationError, GCM_IV_LENGTH, GCM_TAG_LENGTH } from '../../crypto/aead.js';
import { randomGcmIv } from '../../crypto/random-iv.js';
import type { SecretBytes } from '../../crypto/secret-bytes.js';
import { KmsError } from '../../domain/errors.js';
import { ProtectionKind, type ProtectedMaterial } from '../../domain/key.js';
import { KeySpec, ProtectionLevel, profileOf } from '../../domain/key-spec.js';
import type { InDeviceImporter, KeyProtector } from '../../domain/ports.js';
import { ck, returnValueOf, type Handle } from './binding.js';
import { AES_CMAC, AES_CMAC_LENGTH, AES_KEY_GEN, AES_KEY_WRAP_PAD, aesGcmMechanism, RSA_KEY_PAIR_GEN, rsaOaepSha1Mechanism } from './mechanisms.js';
import type { Pkcs11Token } from './pkcs11-token.js';
import {
  importedVersionKeyTemplate,
  importedWrappedVersionKeyTemplate,
  allImportKeysSearch,
  importKeySearch,
  importPrivateKeyTemplate,
  importPublicKeyTemplate,
  newVersionKeyTemplate,
  usableVersionKeyTemplate,
  wrappingKeyTemplate,
} from './templates.js';
import { ImportedMaterialInvalidError, ImportKeyMissingError } from './token-errors.js';
import { TokenImporter } from './token-import.js';

export { ImportedMaterialInvalidError, ImportKeyMissingError };
import { createTokenKey, findTokenKeys, newTokenKeyId, PerGeneration, type TokenKey } from './token-keys.js';
import type { TokenSession } from './token-session.js';
import {
  CHECK_PLAINTEXT_LENGTH,
  checkAdditionalData,
  decodeWrappedMaterial,
  encodeWrappedMaterial,
  type WrappedMaterial,
} from './wrapped-material.js';

export const DEFAULT_WRAPPING_KEY_LABEL = 'arca-wrapping-key';
export const DEFAULT_MAX_UNWRAPPED_KEYS = 1_000;
// Well above the session count, so the keys in use never fill the whole cache.
const MIN_UNWRAPPED_KEYS = 16;
// Room for an AES key wrapped with RFC 5649 (key length rounded up to 8, plus 8).
const MAX_WRAPPED_LENGTH_IN_BYTES = 64;

/**
 * The length of a key of `lengthInBytes` wrapped with CKM_AES_KEY_WRAP_PAD (RFC 5649): the token
 * does not report an unwrapped key's CKA_VALUE_LEN (SoftHSM2 says 0), so the wrapped length is
 * how Arca checks, without seeing the key, that a key in the token has the spec's length.
 */
function keyWrapPadLength(lengthInBytes: number): number {
  return 8 + Math.ceil(lengthInBytes / 8) * 8;
}

const AES_256_WRAPPED_LENGTH = keyWrapPadLength(profileOf(KeySpec.Aes256).materialLengthInBytes);

/** A key in the token has a length other than its spec's (material brought in). */
class WrongKeyLengthError extends Error {}

/**
 * Wrapping algorithms (Alibaba's names) whose unwrapping the token does itself, for material
 * brought into an HSM key: SoftHSM2 2.6 unwraps RSA-OAEP with SHA-1 and an empty label only.
 */
export const TOKEN_IMPORT_ALGORITHMS = ['RSAES_OAEP_SHA_1'] as const;
export type TokenImportAlgorithm = (typeof TOKEN_IMPORT_ALGORITHMS)[number];
export const IMPORT_KEY_BITS = 2048;

/** An RSA key pair whose private half lives in the token, to bring material in. */
export interface ImportKeyPair {
  readonly label: string;
  /** The public key, DER SubjectPublicKeyInfo, for the party that wraps the material. */
  readonly publicKeySpki: Buffer;
}



/** Mechanisms an `Aliyun_AES_256` HSM key needs from the token. */
const AES_MECHANISMS = [ck.CKM_AES_KEY_GEN, ck.CKM_AES_KEY_WRAP_PAD, ck.CKM_AES_GCM];
/** Mechanisms for bringing material in: the import key pair, unwrapping it, committing to it. */
const IMPORT_MECHANISMS = [ck.CKM_RSA_PKCS_KEY_PAIR_GEN, ck.CKM_RSA_PKCS_OAEP, ck.CKM_AES_CMAC];

/** Material unwrapped in the token, as stored, with the token's CMAC committing to it. */
export interface TokenImportedMaterial {
  readonly material: ProtectedMaterial;
  readonly commitment: Buffer;
}

export interface Pkcs11KeyProtectorOptions {
  /** CKA_LABEL of the token-resident wrapping keys. */
  readonly wrappingKeyLabel?: string;
  /** How many unwrapped version keys (session objects) stay in the token at once. */
  readonly maxUnwrappedKeys?: number;
}

/** One version's stored material as the Aead keeps it. */
interface VersionMaterial {
  readonly keyVersionId: string;
  readonly wrapped: WrappedMaterial;
  /** Version id and material together: other material under the same id is unwrapped and checked anew. */
  readonly cacheKey: string;
}

interface UnwrappedKey {
  readonly handle: Handle;
  readonly generation: number;
  /** Operations using the handle now: it is destroyed only when none is. */
  uses: number;
}

/**
 * HSM protection level over a PKCS#11 token (docs/adr/0013). A version's key is generated in
 * the token, wrapped there by a token-resident wrapping key (CKM_AES_KEY_WRAP_PAD), and stored
 * only wrapped. To use it, the token unwraps it into a sensitive, non-extractable session object,
 * kept for later requests (up to `maxUnwrappedKeys`, least recently used destroyed first), and
 * runs CKM_AES_GCM with an IV Arca draws, in the same sealed layout as software keys.
 *
 * `Aliyun_SM4` needs an SM4 mechanism. PKCS#11 defines none, and vendors number theirs
 * differently; Arca knows none, so SM4 HSM keys are refused (`supportsKeySpec`).
 */
export class Pkcs11KeyProtector implements KeyProtector {
  readonly protectionLevel = ProtectionLevel.Hsm;
  readonly #token: Pkcs11Token;
  readonly #wrappingKeyLabel: string;
  readonly #maxUnwrappedKeys: number;
  readonly #wrappingKeys = new PerGeneration<readonly TokenKey[]>();
  // Least recently used first (a Map keeps insertion order; a hit re-inserts).
  readonly #unwrapped = new Map<string, UnwrappedKey>();
  readonly #unwrapping = new Map<string, Promise<UnwrappedKey>>();
  /** Absent when the token lacks a mechanism importing needs (EXTERNAL HSM keys are then refused). */
  readonly inDeviceImport?: InDeviceImporter;

  private constructor(token: Pkcs11Token, options: Pkcs11KeyProtectorOptions) {
    this.#token = token;
    if (IMPORT_MECHANISMS.every((mechanism) => token.hasMechanism(mechanism))) this.inDeviceImport = new TokenImporter(this);
    this.#wrappingKeyLabel = options.wrappingKeyLabel ?? DEFAULT_WRAPPING_KEY_LABEL;
    this.#maxUnwrappedKeys = options.maxUnwrappedKeys ?? DEFAULT_MAX_UNWRAPPED_KEYS;
    if (!Number.isInteger(this.#maxUnwrappedKeys) || this.#maxUnwrappedKeys < MIN_UNWRAPPED_KEYS) {
      throw new Error(`maxUnwrappedKeys must be at least ${MIN_UNWRAPPED_KEYS}`);
    }
  }

  /** Makes sure a wrapping key exists in the token (creating the first one) and logs the mechanisms. */
  static async create(token: Pkcs11Token, logger: Logger, options: Pkcs11KeyProtectorOptions = {}): Promise<Pkcs11KeyProtector> {
    const protector = new Pkcs11KeyProtector(token, options);
    const missing = AES_MECHANISMS.filter((mechanism) => !token.hasMechanism(mechanism));
    if (missing.length > 0) throw new Error(`the PKCS#11 token "${token.tokenLabel}" lacks mechanisms HSM keys need (AES key generation, key wrap with padding, GCM)`);
    await token.run('find or create the wrapping key', async (session) => {
      if (findTokenKeys(session, protector.#wrappingKeyLabel).length > 0) return;
      await createTokenKey(session, wrappingKeyTemplate, protector.#wrappingKeyLabel);
      logger.info({ tokenLabel: token.tokenLabel, label: protector.#wrappingKeyLabel }, 'created the HSM wrapping key in the token');
    });
    logger.info({ tokenLabel: token.tokenLabel, mechanisms: token.mechanismNames() }, 'PKCS#11 token ready for HSM keys');
    return protector;
  }

  supportsKeySpec(keySpec: KeySpec): boolean {
    return keySpec === KeySpec.Aes256;
  }

  async generate(keySpec: KeySpec, keyVersionId: string): Promise<ProtectedMaterial> {
    this.#requireSupported(keySpec);
    const length = profileOf(keySpec).materialLengthInBytes;
    return this.#token.runAsOwner('generate a key version', (session) =>
      this.#wrapNew(session, keyVersionId, () => session.generateKey(AES_KEY_GEN, newVersionKeyTemplate(length))),
    );
  }

  /**
   * Material from outside enters the token as a session object, is wrapped there and destroyed.
   * Only AES-256 lengths are accepted (the one spec HSM keys have).
   */
  async protect(material: SecretBytes, keyVersionId: string): Promise<ProtectedMaterial> {
    // (The generic path of the port: material Arca already holds in the clear, as after a software
    // unwrap. `importWrapped` keeps it out of Arca's memory altogether.)
    if (material.lengthInBytes !== profileOf(KeySpec.Aes256).materialLengthInBytes) throw new Error('HSM material must be a 32-byte AES key');
    return this.#token.runAsOwner('import a key version', (session) =>
      this.#wrapNew(session, keyVersionId, () => Promise.resolve(session.createObject(importedVersionKeyTemplate(material.unsafeReveal())))),
    );
  }

  /**
   * Makes an RSA-2048 key pair for bringing material in: the private key a token object labelled
   * `label` (sensitive, never extractable, unwrap only), the public key returned and not kept.
   */
  async createImportKeyPair(label: string): Promise<ImportKeyPair> {
    return this.#token.runAsOwner('create an import key pair', async (session) => {
      const pair = await session.generateKeyPair(RSA_KEY_PAIR_GEN, importPublicKeyTemplate(IMPORT_KEY_BITS), importPrivateKeyTemplate(label, newTokenKeyId()));
      try {
        const attributes = session.getAttributes(pair.publicKey, [ck.CKA_MODULUS, ck.CKA_PUBLIC_EXPONENT]);
        const modulus = attributes.get(ck.CKA_MODULUS);
        const exponent = attributes.get(ck.CKA_PUBLIC_EXPONENT);
        if (!modulus || !exponent) throw new Error('the token did not give the public key');
        const publicKey = createPublicKey({ key: { kty: 'RSA', n: modulus.toString('base64url'), e: exponent.toString('base64url') }, format: 'jwk' });
        return { label, publicKeySpki: publicKey.export({ type: 'spki', format: 'der' }) };
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
        const material = await this.#wrapNew(session, keyVersionId, async () => {
          try {
            return await session.unwrapKey(rsaOaepSha1Mechanism(), privateKey, encryptedKeyMaterial, importedWrappedVersionKeyTemplate());
          } catch (error) {
            if (meansImportRefused(error)) throw new ImportedMaterialInvalidError();
            throw error;
          }
        }, async (key) => {
          commitment = await session.sign(AES_CMAC, key, commitmentMessage, AES_CMAC_LENGTH);
        });
        if (!commitment) throw new Error('the token gave no commitment');
        return { material, commitment };
      } catch (error) {
        if (error instanceof WrongKeyLengthError) throw new ImportedMaterialInvalidError();
        throw error;
      }
    });
  }

  /** The labels of every import key pair in the token, and a way to destroy each. */
  async listImportKeyLabels(): Promise<string[]> {
    return this.#token.runAsOwner('list import key pairs', (session) =>
      Promise.resolve(
        session.findObjects(allImportKeysSearch()).map((handle) => session.getAttributes(handle, [ck.CKA_LABEL]).get(ck.CKA_LABEL)?.toString('utf8') ?? ''),
      ),
    );
  }

  /** Destroys the import key pair labelled `label` (after the import, or when its token expires). */
  async deleteImportKeyPair(label: string): Promise<void> {
    await this.#token.runAsOwner('delete an import key pair', (session) => {
      for (const handle of session.findObjects(importKeySearch(label))) session.destroyObject(handle);
      return Promise.resolve();
    });
  }

  /** Unwraps the version in the token now (so bad material fails here) and returns its Aead. */
  async open(keySpec: KeySpec, keyVersionId: string, material: ProtectedMaterial): Promise<Aead> {
    if (material.kind !== ProtectionKind.Pkcs11Wrapped) throw new Error(`the PKCS#11 protector cannot open ${String(material.kind)} material`);
    this.#requireSupported(keySpec);
    const version: VersionMaterial = {
      keyVersionId,
      wrapped: decodeWrappedMaterial(material.sealed),
      cacheKey: `${keyVersionId}:${material.sealed.toString('base64')}`,
    };
    await this.withKey('open a key version', version, () => Promise.resolve());
    return new TokenAead(this, version);
  }

  /** For the Aead: runs `use` on a session with the version's unwrapped key handle held. */
  async withKey<T>(operation: string, version: VersionMaterial, use: (session: TokenSession, key: Handle) => Promise<T>): Promise<T> {
    return this.#token.run(operation, async (session) => {
      const key = await this.#acquire(session.generation, version);
      try {
        // The connection was rebuilt while the key was being unwrapped: its handle and this
        // session belong to different generations, and the next try gets a matching pair.
        if (key.generation !== session.generation) throw new KmsError('Unavailable');
        return await use(session, key.handle);
      } finally {
        key.uses -= 1;
      }
    });
  }

  #requireSupported(keySpec: KeySpec): void {
    if (!this.supportsKeySpec(keySpec)) throw new KmsError('KeySpecUnsupportedAtProtectionLevel', keySpec, this.protectionLevel);
  }

  /** `alsoUse` runs on the new key once its length is checked, before it is destroyed. */
  async #wrapNew(
    session: TokenSession,
    keyVersionId: string,
    makeKey: () => Promise<Handle>,
    alsoUse?: (key: Handle) => Promise<void>,
  ): Promise<ProtectedMaterial> {
    const wrappingKey = await this.#activeWrappingKey(session);
    const key = await makeKey();
    try {
      const wrapped = await session.wrapKey(AES_KEY_WRAP_PAD, wrappingKey.handle, key, MAX_WRAPPED_LENGTH_IN_BYTES);
      if (wrapped.length !== AES_256_WRAPPED_LENGTH) throw new WrongKeyLengthError('the key in the token is not 32 bytes long');
      if (alsoUse) await alsoUse(key);
      const checkIv = randomGcmIv();
      const check = await session.encrypt(
        aesGcmMechanism(checkIv, checkAdditionalData(keyVersionId)),
        key,
        Buffer.alloc(CHECK_PLAINTEXT_LENGTH),
        CHECK_PLAINTEXT_LENGTH + GCM_TAG_LENGTH,
      );
      const sealed = encodeWrappedMaterial({ wrappingKeyId: wrappingKey.id, wrapped, checkIv, check });
      return { kind: ProtectionKind.Pkcs11Wrapped, sealed };
    } finally {
      // The extractable object lives only for this call.
      session.destroyObject(key);
    }
  }

  async #activeWrappingKey(session: TokenSession): Promise<TokenKey> {
    const keys = await this.#wrappingKeysOf(session);
    const newest = keys[keys.length - 1];
    if (!newest) throw new Error(`the wrapping key "${this.#wrappingKeyLabel}" is missing from the token`);
    return newest;
  }

  #wrappingKeysOf(session: TokenSession): Promise<readonly TokenKey[]> {
    return this.#wrappingKeys.get(session, () => Promise.resolve(findTokenKeys(session, this.#wrappingKeyLabel)));
  }

  /**
   * The version's unwrapped key with its use count already raised (the caller lowers it), so no
   * eviction destroys it in between. Concurrent first uses of one version share one unwrap.
   */
  #acquire(generation: number, version: VersionMaterial): Promise<UnwrappedKey> {
    const cached = this.#unwrapped.get(version.cacheKey);
    if (cached && cached.generation === generation) {
      cached.uses += 1;
      this.#unwrapped.delete(version.cacheKey);
      this.#unwrapped.set(version.cacheKey, cached);
      return Promise.resolve(cached);
    }
    const pendingKey = `${generation}:${version.cacheKey}`;
    let pending = this.#unwrapping.get(pendingKey);
    if (!pending) {
      pending = this.#token
        .runAsOwner('unwrap a key version', (owner) => this.#unwrap(owner, version))
        .finally(() => this.#unwrapping.delete(pendingKey));
      this.#unwrapping.set(pendingKey, pending);
    }
    return pending.then((key) => {
      key.uses += 1;
      return key;
    });
  }

  /** Runs on the owner session: the unwrapped key lives as long as the connection. */
  async #unwrap(session: TokenSession, { keyVersionId, wrapped, cacheKey }: VersionMaterial): Promise<UnwrappedKey> {
    if (wrapped.wrapped.length !== AES_256_WRAPPED_LENGTH) throw new Error('stored HSM material has the wrong length');
    const wrappingKey = (await this.#wrappingKeysOf(session)).find((key) => key.id.equals(wrapped.wrappingKeyId));
    if (!wrappingKey) throw new Error('the token holds no wrapping key with the id this material names');
    const handle = await session.unwrapKey(AES_KEY_WRAP_PAD, wrappingKey.handle, wrapped.wrapped, usableVersionKeyTemplate());
    try {
      await this.#verifyBinding(session, handle, keyVersionId, wrapped);
    } catch (error) {
      session.destroyObject(handle);
      throw error;
    }
    const key: UnwrappedKey = { handle, generation: session.generation, uses: 0 };
    this.#evict(session);
    this.#unwrapped.delete(cacheKey);
    this.#unwrapped.set(cacheKey, key);
    return key;
  }

  /**
   * The material must open its own check value, bound to this version id: else it is not this
   * version's (moved from another row, or made under another wrapping key's id).
   */
  async #verifyBinding(session: TokenSession, key: Handle, keyVersionId: string, wrapped: WrappedMaterial): Promise<void> {
    // (SoftHSM2 reports CKA_VALUE_LEN 0 for an unwrapped key, so the length is not read back:
    // only a key that was wrapped together with a valid check value gets this far.)
    try {
      const check = await session.decrypt(aesGcmMechanism(wrapped.checkIv, checkAdditionalData(keyVersionId)), key, wrapped.check, wrapped.check.length);
      if (check.length !== CHECK_PLAINTEXT_LENGTH || check.some((byte) => byte !== 0)) throw new AeadAuthenticationError();
    } catch (error) {
      if (error instanceof AeadAuthenticationError) throw new Error('stored HSM material does not belong to this key version');
      throw error;
    }
  }

  /**
   * Makes room for one more unwrapped key: destroys the least recently used ones that no
   * operation holds. (Keys in use are skipped, so the bound may be passed by at most the number
   * of sessions, briefly.)
   */
  #evict(owner: TokenSession): void {
    for (const [cacheKey, key] of this.#unwrapped) {
      if (this.#unwrapped.size < this.#maxUnwrappedKeys) return;
      if (key.generation !== owner.generation) {
        this.#unwrapped.delete(cacheKey); // died with its connection
      } else if (key.uses === 0) {
        this.#unwrapped.delete(cacheKey);
        owner.destroyObject(key.handle);
      }
    }
  }
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
 * The Aead of one HSM key version: AES-256-GCM inside the token, in the sealed layout
 * iv(12) ‖ ciphertext ‖ tag(16) that software keys use, so blobs look the same.
 */
class TokenAead implements Aead {
  readonly algorithm = AeadAlgorithm.Aes256Gcm;
  readonly #protector: Pkcs11KeyProtector;
  readonly #version: VersionMaterial;

  constructor(protector: Pkcs11KeyProtector, version: VersionMaterial) {
    this.#protector = protector;
    this.#version = version;
  }

  async encrypt(plaintext: Uint8Array, additionalData: Uint8Array): Promise<Buffer> {
    const iv = randomGcmIv();
    const mechanism = aesGcmMechanism(iv, additionalData);
    const output = await this.#protector.withKey('encrypt', this.#version, (session, key) =>
      session.encrypt(mechanism, key, Buffer.from(plaintext), plaintext.length + GCM_TAG_LENGTH),
    );
    return Buffer.concat([iv, output], iv.length + output.length);
  }

  async decrypt(sealed: Uint8Array, additionalData: Uint8Array): Promise<Buffer> {
    // Precondition: room for an IV and a tag, checked before any slicing.
    if (sealed.length < GCM_IV_LENGTH + GCM_TAG_LENGTH) throw new AeadAuthenticationError();
    const mechanism = aesGcmMechanism(sealed.subarray(0, GCM_IV_LENGTH), additionalData);
    const body = Buffer.from(sealed.subarray(GCM_IV_LENGTH));
    return this.#protector.withKey('decrypt', this.#version, (session, key) =>
      session.decrypt(mechanism, key, body, body.length),
    );
  }
}
