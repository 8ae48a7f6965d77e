import type { Logger } from 'pino';
import { reviseKey, type ProtectedMaterial } from '../domain/key.js';
import { ProtectionLevel } from '../domain/key-spec.js';
import { StoreConflictError, type KeyStore } from '../domain/ports.js';

/** What the migration needs of the HSM protector (Pkcs11KeyProtector). */
export interface LegacyRewrapper {
  legacyWrappingKeyIds(): Promise<string[]>;
  rewrapLegacy(keyVersionId: string, material: ProtectedMaterial): Promise<ProtectedMaterial | undefined>;
}

export interface RewrapReport {
  /** Versions now wrapped by a guarded wrapping key. */
  readonly rewrapped: number;
  /** Keys changed by someone else meanwhile: their remaining versions wait for the next start. */
  readonly conflicts: number;
}

const PAGE_SIZE = 100;

/**
 * The migration of issue 16 (docs/adr/0013): every HSM version that a legacy wrapping key (one
 * without an unwrap template) wrapped is wrapped again, inside the token, by a guarded one, and
 * its row replaced. Runs at start in the process that runs the jobs, before it serves; a no-op
 * once the token holds no legacy key. Old rows keep decrypting meanwhile: the legacy keys stay
 * until the operator destroys them, which Arca never does (a backup may need them).
 */
export async function rewrapLegacyHsmVersions(store: KeyStore, protector: LegacyRewrapper, logger: Logger): Promise<RewrapReport> {
  if ((await protector.legacyWrappingKeyIds()).length === 0) return { rewrapped: 0, conflicts: 0 };
  let rewrapped = 0;
  let conflicts = 0;
  for (let pageNumber = 1; ; pageNumber += 1) {
    const page = await store.listKeys({ protectionLevel: [ProtectionLevel.Hsm] }, { pageNumber, pageSize: PAGE_SIZE });
    for (const { keyId } of page.items) {
      const outcome = await rewrapVersionsOf(store, protector, keyId);
      rewrapped += outcome.rewrapped;
      conflicts += outcome.conflicts;
    }
    if (page.items.length < PAGE_SIZE) break;
  }
  const report = { rewrapped, conflicts };
  if (rewrapped > 0 || conflicts > 0) logger.info(report, 'wrapped HSM key versions again with a guarded wrapping key');
  if (conflicts > 0) logger.warn(report, 'some HSM keys changed while their versions were wrapped again; the next start finishes them');
  return report;
}

/**
 * Each write is conditioned on the revision read before the versions were: a version whose
 * material changed meanwhile (deleted, imported) is never overwritten with what was read.
 */
async function rewrapVersionsOf(store: KeyStore, protector: LegacyRewrapper, keyId: string): Promise<RewrapReport> {
  let key = await store.getKey(keyId);
  if (!key) return { rewrapped: 0, conflicts: 0 };
  let rewrapped = 0;
  for (let pageNumber = 1; ; pageNumber += 1) {
    const page = await store.listKeyVersions(keyId, { pageNumber, pageSize: PAGE_SIZE });
    for (const version of page.items) {
      if (!version.material) continue;
      const material = await protector.rewrapLegacy(version.keyVersionId, version.material);
      if (!material) continue;
      const next = reviseKey(key, {});
      try {
        await store.replaceKeyMaterial(next, { ...version, material }, key.revision);
      } catch (error) {
        if (error instanceof StoreConflictError) return { rewrapped, conflicts: 1 };
        throw error;
      }
      key = next;
      rewrapped += 1;
    }
    if (page.items.length < PAGE_SIZE) return { rewrapped, conflicts: 0 };
  }
}
