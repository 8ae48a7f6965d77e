import type { Logger } from 'pino';
import type { Pkcs11Config } from '../config/arca-config.js';
import type { KeyedDigest, MetadataStore, SecretSealer } from '../domain/ports.js';
import { Pkcs11Token } from '../protection/pkcs11/pkcs11-token.js';
import { TokenRootKey } from '../protection/pkcs11/token-root-key.js';
import { SealPurpose } from '../domain/seal-purposes.js';
import { RootKey } from '../protection/root-key.js';
import { withSealedDigestKey } from '../protection/sealed-digest-key.js';

/** The environment a start reads its secrets from; nothing else carries them. */
export type SecretEnvironment = Readonly<Record<string, string | undefined>>;

/** The PKCS#11 token when one is configured; its PIN comes from ARCA_PKCS11_PIN only. */
export function openToken(pkcs11: Pkcs11Config | undefined, environment: SecretEnvironment, logger: Logger): Pkcs11Token | undefined {
  if (!pkcs11) return undefined;
  const pin = environment.ARCA_PKCS11_PIN;
  if (pin === undefined || pin === '') throw new Error('a PKCS#11 token needs its user PIN in the environment variable ARCA_PKCS11_PIN');
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
 * The root key: a token key when `--pkcs11-root-key-label` is given, else ARCA_ROOT_KEY or
 * the key file in the data directory (created on first start).
 */
export async function loadRootKey(
  dataDir: string,
  pkcs11: Pkcs11Config | undefined,
  token: Pkcs11Token | undefined,
  environment: SecretEnvironment,
  logger: Logger,
): Promise<SecretSealer> {
  const label = pkcs11?.rootKeyLabel;
  if (label === undefined) return RootKey.loadOrCreate(dataDir, environment.ARCA_ROOT_KEY).rootKey;
  if (environment.ARCA_ROOT_KEY) throw new Error('choose one root key: ARCA_ROOT_KEY or --pkcs11-root-key-label, not both');
  if (!token) throw new Error('--pkcs11-root-key-label needs --pkcs11-module and --pkcs11-token-label');
  return (await TokenRootKey.findOrCreate(token, label, logger)).rootKey;
}

const ROOT_KEY_CHECK = 'root-key-check';

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
  return rootKey instanceof RootKey ? rootKey : await withSealedDigestKey(rootKey, store);
}
