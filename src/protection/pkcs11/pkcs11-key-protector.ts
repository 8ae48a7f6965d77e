import type { Logger } from 'pino';
import type { Aead } from '../../crypto/aead.js';
import type { SecretBytes } from '../../crypto/secret-bytes.js';
import { KmsError } from '../../domain/errors.js';
import { ProtectionKind, type ProtectedMaterial } from '../../domain/key.js';
import { KeySpec, ProtectionLevel, profileOf } from '../../domain/key-spec.js';
import type { InDeviceImporter, KeyProtector } from '../../domain/ports.js';
import { ck } from './binding.js';
import { AES_KEY_GEN } from './mechanisms.js';
import type { Pkcs11Token } from './pkcs11-token.js';
import { importedVersionKeyTemplate, newVersionKeyTemplate } from './templates.js';
import { TokenAead } from './token-aead.js';
import { ImportedMaterialInvalidError, ImportKeyMissingError } from './token-errors.js';
import {
  type ImportKeyPair,
  TokenImporter,
  TokenImportKeyPairs,
  tokenCanImport,
  type TokenImportAlgorithm,
  type TokenImportedMaterial,
} from './token-import.js';
import { DEFAULT_MAX_UNWRAPPED_KEYS, UnwrappedKeyCache, versionMaterialOf } from './unwrapped-key-cache.js';
import { decodeWrappedMaterial } from './wrapped-material.js';
import { DEFAULT_WRAPPING_KEY_LABEL, WrappingKeys } from './wrapping-keys.js';

// Re-exported: callers of the protector's API keep importing these from here.
export { ImportedMaterialInvalidError, ImportKeyMissingError, DEFAULT_MAX_UNWRAPPED_KEYS, DEFAULT_WRAPPING_KEY_LABEL };
export type { ImportKeyPair, TokenImportAlgorithm, TokenImportedMaterial };
export { IMPORT_KEY_BITS, TOKEN_IMPORT_ALGORITHMS } from './token-import.js';

const LEGACY_WRAPPING_KEYS_WARNING =
  "the token holds legacy HSM wrapping keys (made before issue 16, without an unwrap template): with the PIN, anything they wrapped, such as an older copy of arca.db, can be unwrapped into a readable key. Arca wraps this data directory's versions again at start; once no backup or other data directory needs them, destroy them (docs/adr/0013)";

/** Mechanisms an `Aliyun_AES_256` HSM key needs from the token. */
const AES_MECHANISMS = [ck.CKM_AES_KEY_GEN, ck.CKM_AES_KEY_WRAP_PAD, ck.CKM_AES_GCM];

export interface Pkcs11KeyProtectorOptions {
  /** CKA_LABEL of the token-resident wrapping keys. */
  readonly wrappingKeyLabel?: string;
  /** How many unwrapped version keys (session objects) stay in the token at once. */
  readonly maxUnwrappedKeys?: number;
}

/**
 * HSM protection level over a PKCS#11 token (docs/adr/0013). A version's key is generated in
 * the token, wrapped there by a token-resident wrapping key (CKM_AES_KEY_WRAP_PAD), and stored
 * only wrapped. To use it, the token unwraps it into a sensitive, non-extractable session object,
 * kept for later requests (`UnwrappedKeyCache`), and runs CKM_AES_GCM with an IV Arca draws, in
 * the same sealed layout as software keys (`TokenAead`). Material brought in is unwrapped inside
 * the token by an import key pair (`TokenImportKeyPairs`, `TokenImporter`).
 *
 * `Aliyun_SM4` needs an SM4 mechanism. PKCS#11 defines none, and vendors number theirs
 * differently; Arca knows none, so SM4 HSM keys are refused (`supportsKeySpec`).
 */
export class Pkcs11KeyProtector implements KeyProtector {
  readonly protectionLevel = ProtectionLevel.Hsm;
  readonly #token: Pkcs11Token;
  readonly #wrappingKeys: WrappingKeys;
  readonly #unwrappedKeys: UnwrappedKeyCache;
  readonly #importKeyPairs: TokenImportKeyPairs;
  /** Absent when the token lacks a mechanism importing needs (EXTERNAL HSM keys are then refused). */
  readonly inDeviceImport?: InDeviceImporter;

  private constructor(token: Pkcs11Token, options: Pkcs11KeyProtectorOptions) {
    this.#token = token;
    this.#wrappingKeys = new WrappingKeys(options.wrappingKeyLabel ?? DEFAULT_WRAPPING_KEY_LABEL);
    this.#unwrappedKeys = new UnwrappedKeyCache(token, this.#wrappingKeys, options.maxUnwrappedKeys ?? DEFAULT_MAX_UNWRAPPED_KEYS);
    this.#importKeyPairs = new TokenImportKeyPairs(token, this.#wrappingKeys);
    if (tokenCanImport(token)) this.inDeviceImport = new TokenImporter(this.#importKeyPairs);
  }

  /**
   * Checks the token's wrapping keys and makes a guarded one when there is none (the first
   * start, or the first since issue 16), and logs the mechanisms. Refuses to start on a wrapping
   * key whose value could leave the token, and on a token that does not enforce CKA_UNWRAP_TEMPLATE.
   */
  static async create(token: Pkcs11Token, logger: Logger, options: Pkcs11KeyProtectorOptions = {}): Promise<Pkcs11KeyProtector> {
    const protector = new Pkcs11KeyProtector(token, options);
    const missing = AES_MECHANISMS.filter((mechanism) => !token.hasMechanism(mechanism));
    if (missing.length > 0)
      throw new Error(
        `the PKCS#11 token "${token.tokenLabel}" lacks mechanisms HSM keys need (AES key generation, key wrap with padding, GCM)`,
      );
    const wrappingKeys = protector.#wrappingKeys;
    const { created, legacy } = await token.runAsOwner('check the wrapping keys', (session) => wrappingKeys.prepare(session));
    const where = { tokenLabel: token.tokenLabel, label: wrappingKeys.label };
    if (created) logger.info(where, 'created the HSM wrapping key in the token');
    if (legacy.length > 0)
      logger.warn({ ...where, legacyKeyIds: legacy.map((key) => key.id.toString('hex')) }, LEGACY_WRAPPING_KEYS_WARNING);
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
      this.#wrappingKeys.wrapNew(session, keyVersionId, (wrap) => session.generateKey(AES_KEY_GEN, newVersionKeyTemplate(length, wrap))),
    );
  }

  /**
   * Material from outside enters the token as a session object, is wrapped there and destroyed.
   * Only AES-256 lengths are accepted (the one spec HSM keys have).
   */
  async protect(material: SecretBytes, keyVersionId: string): Promise<ProtectedMaterial> {
    // (The generic path of the port: material Arca already holds in the clear, as after a software
    // unwrap. `importWrapped` keeps it out of Arca's memory altogether.)
    if (material.lengthInBytes !== profileOf(KeySpec.Aes256).materialLengthInBytes)
      throw new Error('HSM material must be a 32-byte AES key');
    return this.#token.runAsOwner('import a key version', (session) =>
      this.#wrappingKeys.wrapNew(session, keyVersionId, (wrap) =>
        Promise.resolve(session.createObject(importedVersionKeyTemplate(material.unsafeReveal(), wrap))),
      ),
    );
  }

  /** Makes an RSA-2048 import key pair labelled `label` in the token (`TokenImportKeyPairs.create`). */
  async createImportKeyPair(label: string): Promise<ImportKeyPair> {
    return this.#importKeyPairs.create(label);
  }

  /**
   * Unwraps material brought in with the import key pair labelled `importKeyLabel`, inside the
   * token, into a new version and its CMAC commitment (`TokenImportKeyPairs.importWrapped`).
   */
  async importWrapped(
    keyVersionId: string,
    importKeyLabel: string,
    algorithm: TokenImportAlgorithm,
    encryptedKeyMaterial: Buffer,
    commitmentMessage: Buffer,
  ): Promise<TokenImportedMaterial> {
    return this.#importKeyPairs.importWrapped(keyVersionId, importKeyLabel, algorithm, encryptedKeyMaterial, commitmentMessage);
  }

  /** The labels of every import key pair in the token. */
  async listImportKeyLabels(): Promise<string[]> {
    return this.#importKeyPairs.labels();
  }

  /** Destroys the import key pair labelled `label` (after the import, or when its token expires). */
  async deleteImportKeyPair(label: string): Promise<void> {
    await this.#importKeyPairs.destroy(label);
  }

  /** Unwraps the version in the token now (so bad material fails here) and returns its Aead. */
  async open(keySpec: KeySpec, keyVersionId: string, material: ProtectedMaterial): Promise<Aead> {
    if (material.kind !== ProtectionKind.Pkcs11Wrapped)
      throw new Error(`the PKCS#11 protector cannot open ${String(material.kind)} material`);
    this.#requireSupported(keySpec);
    const version = versionMaterialOf(keyVersionId, material.sealed);
    await this.#unwrappedKeys.withKey('open a key version', version, () => Promise.resolve());
    return new TokenAead((operation, use) => this.#unwrappedKeys.withKey(operation, version, use));
  }

  /**
   * The version's material wrapped again by a guarded wrapping key when a legacy one wrapped
   * it, else undefined (docs/adr/0013, migration). The key never leaves the token.
   */
  async rewrapLegacy(keyVersionId: string, material: ProtectedMaterial): Promise<ProtectedMaterial | undefined> {
    if (material.kind !== ProtectionKind.Pkcs11Wrapped) return undefined;
    const wrapped = decodeWrappedMaterial(material.sealed);
    return this.#token.runAsOwner('wrap a key version again', (session) => this.#wrappingKeys.rewrap(session, keyVersionId, wrapped));
  }

  /** The CKA_IDs (hex) of the legacy wrapping keys in the token: none once they are destroyed. */
  async legacyWrappingKeyIds(): Promise<string[]> {
    const legacy = await this.#token.runAsOwner('list legacy wrapping keys', (session) => this.#wrappingKeys.legacy(session));
    return legacy.map((key) => key.id.toString('hex'));
  }

  #requireSupported(keySpec: KeySpec): void {
    if (!this.supportsKeySpec(keySpec)) throw new KmsError('KeySpecUnsupportedAtProtectionLevel', keySpec, this.protectionLevel);
  }
}
