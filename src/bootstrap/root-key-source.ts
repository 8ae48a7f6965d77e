import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve, isAbsolute } from 'node:path';
import type { Logger } from 'pino';
import type { ArcaConfig, Pkcs11Config } from '../config/arca-config.js';
import type { KeyedDigest, MetadataStore, SecretSealer } from '../domain/ports.js';
import { Pkcs11Token } from '../protection/pkcs11/pkcs11-token.js';
import { TokenRootKey } from '../protection/pkcs11/token-root-key.js';
import { SealPurpose } from '../domain/seal-purposes.js';
import { RootKey } from '../protection/root-key.js';
import { RootKeyPair } from '../protection/root-key-pair.js';
import { assertPrivateFile, createPlainRootKeyFile, readRootKeyFile, type PassphraseSource } from '../protection/root-key-file.js';
import { DIGEST_KEY_RECORD, withSealedDigestKey } from '../protection/sealed-digest-key.js';
import { defaultRootKeyPath, legacyRootKeyPath } from './data-directory.js';
import { storeHoldsMetadata } from './store-factory.js';

/** The environment a start reads its secrets from; nothing else carries them. */
export type SecretEnvironment = Readonly<Record<string, string | undefined>>;

/** Asks a person for a passphrase, without echo (a terminal); absent when nobody is there. */
export type PassphrasePrompt = (question: string) => Promise<string>;

/** A secret held in a file: one line, its trailing newline not part of it. The file must be private. */
export function readSecretFile(path: string, what: string): string {
  assertPrivateFile(path);
  const text = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  if (text === '') throw new Error(`${path} (${what}) is empty`);
  return text;
}

/** The PKCS#11 token when one is configured; its PIN comes from its file or its environment variable. */
export function openToken(pkcs11: Pkcs11Config | undefined, environment: SecretEnvironment, logger: Logger): Pkcs11Token | undefined {
  if (!pkcs11) return undefined;
  const pin = pkcs11.pinFile === undefined ? environment[pkcs11.pinVariable] : readSecretFile(pkcs11.pinFile, 'the PKCS#11 PIN');
  if (pin === undefined || pin === '') {
    throw new Error(`a PKCS#11 token needs its user PIN in the environment variable ${pkcs11.pinVariable} (or a file: --pkcs11-pin-file)`);
  }
  return Pkcs11Token.open(
    {
      modulePath: pkcs11.modulePath,
      tokenLabel: pkcs11.tokenLabel,
      pin,
      ...(pkcs11.sessionCount ? { sessionCount: pkcs11.sessionCount } : {}),
    },
    logger,
  );
}

/**
 * The passphrase of a passphrase-protected root key file: from `root-key-passphrase-file`
 * (ARCA_ROOT_KEY_PASSPHRASE_FILE), else asked on the terminal. A terminal serves one process: a
 * cluster's workers cannot each ask, so with --workers the passphrase must come from a file.
 */
export function rootKeyPassphrase(config: ArcaConfig, prompt: PassphrasePrompt | undefined): PassphraseSource {
  return async (path) => {
    const file = config.rootKey.passphraseFile;
    if (file !== undefined) return readSecretFile(file, 'the root key passphrase');
    if (prompt !== undefined && config.workers === 1) return prompt(`passphrase for the root key ${path}: `);
    throw new Error(
      `${path} is protected by a passphrase: give it in a file (ARCA_ROOT_KEY_PASSPHRASE_FILE or --root-key-passphrase-file)` +
        (config.workers === 1
          ? ', or start arca on a terminal to be asked'
          : '; with --workers a terminal prompt cannot serve every worker'),
    );
  };
}

/**
 * The root key, from the first of:
 * - the PKCS#11 token, when `--pkcs11-root-key-label` is given;
 * - the environment variable `root-key-env` (ARCA_ROOT_KEY), when set;
 * - the root key file: `--root-key-file`, else `<data-dir>.root.key` beside the data directory,
 *   else a legacy `<data-dir>/root.key` (used, with a warning that says how to move it).
 * A missing file is created (plain, 0600) only for a store that holds no sealed data yet (no
 * root-key check): a root key made up for existing data would open nothing, so that start is refused.
 */
export async function loadRootKey(
  config: ArcaConfig,
  token: Pkcs11Token | undefined,
  environment: SecretEnvironment,
  logger: Logger,
  passphrase: PassphraseSource,
): Promise<SecretSealer> {
  const current = await loadCurrentRootKey(config, token, environment, logger, passphrase);
  const previousFile = config.rootKey.previousFile;
  if (previousFile === undefined) return current;
  if (!(current instanceof RootKey))
    throw new Error('--previous-root-key-file rotates file or environment root keys, not a PKCS#11 root key');
  return new RootKeyPair(current, await readRootKeyFile(previousFile, passphrase));
}

async function loadCurrentRootKey(
  config: ArcaConfig,
  token: Pkcs11Token | undefined,
  environment: SecretEnvironment,
  logger: Logger,
  passphrase: PassphraseSource,
): Promise<SecretSealer> {
  const label = config.pkcs11?.rootKeyLabel;
  const variable = config.rootKey.environmentVariable;
  const fromEnvironment = environment[variable];
  const given = fromEnvironment !== undefined && fromEnvironment !== '';
  if (label !== undefined) {
    if (given) throw new Error(`choose one root key: ${variable} or --pkcs11-root-key-label, not both`);
    if (config.rootKey.file !== undefined) throw new Error('choose one root key: --root-key-file or --pkcs11-root-key-label, not both');
    if (!token) throw new Error('--pkcs11-root-key-label needs --pkcs11-module and --pkcs11-token-label');
    return (await TokenRootKey.findOrCreate(token, label, logger)).rootKey;
  }
  if (given) {
    if (config.rootKey.file !== undefined) throw new Error(`choose one root key: ${variable} or --root-key-file, not both`);
    return RootKey.fromBase64(fromEnvironment, variable);
  }
  const path = rootKeyFilePath(config, logger);
  if (existsSync(path)) return readRootKeyFile(path, passphrase);
  if (await storeHoldsMetadata(config.database, config.dataDir, ROOT_KEY_CHECK)) {
    throw new Error(
      `there is no root key file at ${path}, and ${config.dataDir} holds data sealed under a root key: ` +
        'point --root-key-file (or ARCA_ROOT_KEY) at the root key this data was sealed under; a new key would open nothing',
    );
  }
  let created: RootKey;
  try {
    created = createPlainRootKeyFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(
      `cannot create the root key file ${path} (${code}): create it beforehand (arca root-key create --out ${path}), ` +
        'or choose a writable place with --root-key-file',
    );
  }
  logger.info({ event: 'root-key-created', file: path }, `created a new root key file ${path} (mode 0600); back it up apart from the data`);
  return created;
}

/** Where the root key file is: as configured, else beside the data directory, else a legacy one inside it. */
function rootKeyFilePath(config: ArcaConfig, logger: Logger): string {
  const configured = config.rootKey.file;
  if (configured !== undefined) {
    if (isInside(configured, config.dataDir)) warnInsideDataDirectory(logger, configured, config.dataDir);
    return configured;
  }
  const beside = defaultRootKeyPath(config.dataDir);
  const legacy = legacyRootKeyPath(config.dataDir);
  if (!existsSync(legacy)) return beside;
  if (existsSync(beside)) {
    throw new Error(`two root key files, ${legacy} and ${beside}: keep the one this data was sealed under and remove the other`);
  }
  warnInsideDataDirectory(logger, legacy, config.dataDir);
  return legacy;
}

function isInside(path: string, directory: string): boolean {
  const between = relative(resolve(directory), resolve(path));
  return between !== '' && !between.startsWith('..') && !isAbsolute(between);
}

function warnInsideDataDirectory(logger: Logger, path: string, dataDir: string): void {
  logger.warn(
    { event: 'root-key-inside-data-directory', file: path },
    `the root key file ${path} is inside the data directory: every copy of ${dataDir} carries the key that opens it. ` +
      `Stop arca and move it out (mv ${path} ${defaultRootKeyPath(dataDir)}, or elsewhere with --root-key-file)`,
  );
}

export const ROOT_KEY_CHECK = 'root-key-check';
const ROTATION_TARGET = 'root-key-rotation-target';

/**
 * Refuses a rotation to a key no server has started with (beside the previous one): a server with
 * the previous key alone would fail to open every value re-sealed under the new one.
 */
export async function assertServerStartedWithBoth(store: MetadataStore, pair: RootKeyPair): Promise<void> {
  const target = await store.getMetadata(ROTATION_TARGET);
  if (target !== undefined && (await pair.sealedByCurrent(target, SealPurpose.RotationTarget, ROTATION_TARGET))) return;
  throw new Error(
    'no server has started with this new root key beside the previous one: restart the server with ' +
      '--root-key-file <new> --previous-root-key-file <old> first, so that it opens what is sealed again',
  );
}

/**
 * A data directory remembers a value sealed by the root key it was created with. Starting with
 * another root key fails here, clearly, instead of failing every decryption later.
 */
export async function assertRootKeyMatches(store: MetadataStore, rootKey: SecretSealer): Promise<void> {
  // A new data directory takes this root key's check value; of two first starts at once, the
  // first stored wins and the other is checked against it.
  const check =
    (await store.getMetadata(ROOT_KEY_CHECK)) ??
    (await store.putMetadataIfAbsent(ROOT_KEY_CHECK, await rootKey.seal(Buffer.alloc(0), SealPurpose.RootKeyCheck, ROOT_KEY_CHECK)));
  try {
    await rootKey.open(check, SealPurpose.RootKeyCheck, ROOT_KEY_CHECK);
  } catch {
    throw new Error(
      'the root key does not match this data directory (wrong ARCA_ROOT_KEY, root key file or PKCS#11 root key); ' +
        'a restored backup starts only with the root key of the server it was taken from',
    );
  }
}

/**
 * The root key's sealing and keyed digests (bring your own key: import tokens, commitments). Call
 * it only after `assertRootKeyMatches`: a token key's digest key is sealed in the store.
 */
export async function rootKeySecrets(rootKey: SecretSealer, store: MetadataStore): Promise<SecretSealer & KeyedDigest> {
  if (rootKey instanceof RootKeyPair) {
    await keepDigestsAcrossRotation(rootKey, store);
    await store.putMetadata(ROTATION_TARGET, await rootKey.seal(Buffer.alloc(0), SealPurpose.RotationTarget, ROTATION_TARGET));
  }
  // A file root key derives its digest key (ADR 6) until a rotation has stored one (ADR 34).
  if (rootKey instanceof RootKey && (await store.getMetadata(DIGEST_KEY_RECORD)) === undefined) return rootKey;
  return withSealedDigestKey(rootKey, store);
}

/**
 * Digests (bring-your-own-key commitments) are kept in the store and must not change with the root
 * key. Data that has no stored digest key uses the one derived from the root key it was made with,
 * the previous one: that key is stored, sealed under the new root key, before anything uses it.
 */
export async function keepDigestsAcrossRotation(pair: RootKeyPair, store: MetadataStore): Promise<void> {
  if ((await store.getMetadata(DIGEST_KEY_RECORD)) !== undefined) return;
  const digestKey = pair.previous.exportDigestKeyInsecure();
  try {
    await store.putMetadataIfAbsent(DIGEST_KEY_RECORD, await pair.seal(digestKey, SealPurpose.DigestKey, DIGEST_KEY_RECORD));
  } finally {
    digestKey.fill(0);
  }
}
