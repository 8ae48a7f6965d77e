import type { Logger } from 'pino';
import type { ArcaConfig } from '../config/arca-config.js';
import type { AuditStore, KeyedDigest, SecretSealer } from '../domain/ports.js';
import type { Pkcs11Token } from '../protection/pkcs11/pkcs11-token.js';
import { pinAwsScope } from './aws-scope-pin.js';
import { ensureDataDirectory } from './data-directory.js';
import {
  assertRootKeyMatches,
  loadRootKey,
  openToken,
  rootKeyPassphrase,
  rootKeySecrets,
  type PassphrasePrompt,
  type SecretEnvironment,
} from './root-key-source.js';
import { openAuditStore, openStore, type ArcaStore } from './store-factory.js';

/** A data directory ready for requests: its store, its root key, checked against it, and the token. */
export interface OpenedDataDirectory {
  readonly store: ArcaStore;
  readonly rootKey: SecretSealer;
  /** The root key's sealing and keyed digests (bring your own key: import tokens, commitments). */
  readonly secrets: SecretSealer & KeyedDigest;
  readonly token: Pkcs11Token | undefined;
  /** The audit trail's store, in the same database. */
  readonly auditStore: AuditStore;
  /** Closes the audit store and the store, then the token. */
  close(): Promise<void>;
}

/**
 * The token (when configured), the root key (from a file, the environment or the token, checked
 * against the data directory before anything is sealed with it), the store. On failure whatever
 * was opened is closed again.
 */
export async function openDataDirectory(
  config: ArcaConfig,
  environment: SecretEnvironment,
  logger: Logger,
  askPassphrase?: PassphrasePrompt,
): Promise<OpenedDataDirectory> {
  ensureDataDirectory(config.dataDir);
  pinAwsScope(config.dataDir, config.aws);
  const token = openToken(config.pkcs11, environment, logger);
  let store: ArcaStore | undefined;
  let auditStore: AuditStore | undefined;
  try {
    const rootKey = await loadRootKey(config, token, environment, logger, rootKeyPassphrase(config, askPassphrase));
    store = await openStore(config.database, config.dataDir);
    auditStore = await openAuditStore(config.database, config.dataDir);
    await assertRootKeyMatches(store, rootKey);
    const secrets = await rootKeySecrets(rootKey, store);
    return { store, rootKey, secrets, token, auditStore, close: closer(store, auditStore, token) };
  } catch (error) {
    await closer(store, auditStore, token)();
    throw error;
  }
}

function closer(store: ArcaStore | undefined, auditStore: AuditStore | undefined, token: Pkcs11Token | undefined): () => Promise<void> {
  return async () => {
    try {
      try {
        await auditStore?.close();
      } finally {
        await store?.close();
      }
    } finally {
      await token?.close();
    }
  };
}
