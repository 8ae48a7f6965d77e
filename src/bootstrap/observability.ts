import { ACTION_TABLE } from '../api/action-table.js';
import { Readiness } from '../api/readiness.js';
import { UNSUPPORTED_ACTIONS } from '../api/unsupported-actions.js';
import type { ArcaConfig } from '../config/arca-config.js';
import { ArcaMetrics } from '../metrics/arca-metrics.js';
import type { Pkcs11Token } from '../protection/pkcs11/pkcs11-token.js';
import type { SecretSealer } from '../domain/ports.js';
import { assertRootKeyMatches } from './root-key-source.js';
import type { ArcaStore } from './store-factory.js';

/** The readiness checks, by name: a start declares them all at once, and provides each as its part opens. */
export const ReadinessCheckName = {
  Store: 'store',
  RootKey: 'root-key',
  Hsm: 'hsm',
  ReplayGuard: 'replay-guard',
} as const;

/** Every action name a request's label may carry: the API's table and the actions it names as unsupported. */
export function knownActionNames(): ReadonlySet<string> {
  return new Set([...ACTION_TABLE.keys(), ...UNSUPPORTED_ACTIONS]);
}

export function createMetrics(config: ArcaConfig): ArcaMetrics {
  return new ArcaMetrics({ knownActions: knownActionNames(), perKey: config.metrics.perKey, processMetrics: true });
}

/** What this start will have to open before it is ready (the token only when one is configured). */
export function createReadiness(config: ArcaConfig): Readiness {
  return new Readiness([
    ReadinessCheckName.Store,
    ReadinessCheckName.RootKey,
    ...(config.pkcs11 ? [ReadinessCheckName.Hsm] : []),
    ReadinessCheckName.ReplayGuard,
  ]);
}

/**
 * The checks of an opened data directory. The store answers a read; the root key opens the data
 * directory's check value again (in the token, for a token's root key); the token is open and
 * connected.
 */
export function provideDataDirectoryChecks(
  readiness: Readiness,
  store: ArcaStore,
  rootKey: SecretSealer,
  token: Pkcs11Token | undefined,
): void {
  readiness.provide({ name: ReadinessCheckName.Store, check: async () => (await store.getMetadata(PROBE_NAME), true) });
  readiness.provide({ name: ReadinessCheckName.RootKey, check: async () => (await assertRootKeyMatches(store, rootKey), true) });
  if (token) readiness.provide({ name: ReadinessCheckName.Hsm, check: () => token.usable });
}

/** A metadata name no record has: the store's probe reads it and finds nothing, which is an answer. */
const PROBE_NAME = 'readiness-probe';

/** The store's inventory and commits, and the token's sessions, into the metrics. */
export function watchStoreAndToken(metrics: ArcaMetrics, store: ArcaStore, token: Pkcs11Token | undefined): void {
  const { countKeys, countKeyVersions } = store;
  if (countKeys && countKeyVersions) {
    metrics.watchKeyInventory({ countKeys: () => countKeys.call(store), countKeyVersions: () => countKeyVersions.call(store) });
  }
  store.observeCommits?.((writes, durationMs) => metrics.observeGroupCommit(writes, durationMs));
  if (token) metrics.watchSessions(() => token.sessionUse());
}
