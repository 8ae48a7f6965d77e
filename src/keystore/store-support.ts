import type { Key, KeyVersion } from '../domain/key.js';
import type { Page, StoreWrite } from '../domain/ports.js';

/**
 * Checks every KeyStore adapter makes before it writes, so that the adapters refuse the same
 * caller mistakes in the same way. A broken precondition is a bug in the caller, not a conflict
 * with another writer, so it is a `StorePreconditionError` and never a `StoreConflictError`:
 * retrying cannot fix it.
 */
export class StorePreconditionError extends Error {
  constructor(detail: string) {
    super(`Precondition: ${detail}`);
    this.name = 'StorePreconditionError';
  }
}

function needs(condition: boolean, detail: string): asserts condition {
  if (!condition) throw new StorePreconditionError(detail);
}

// Precondition: a page is 1-based and holds at least one item.
export function requireValidPage(page: Page): void {
  needs(Number.isSafeInteger(page.pageNumber) && page.pageNumber >= 1, 'pageNumber must be an integer >= 1');
  needs(Number.isSafeInteger(page.pageSize) && page.pageSize >= 1, 'pageSize must be an integer >= 1');
}

// Precondition: a due list asks for at least one key.
export function requireValidLimit(limit: number): void {
  needs(Number.isSafeInteger(limit) && limit >= 1, 'limit must be an integer >= 1');
}

/** How many items come before `page`. */
export function offsetOf(page: Page): number {
  return (page.pageNumber - 1) * page.pageSize;
}

// Precondition: every write moves the revision forward by exactly one.
export function requireNextRevision(key: Key, expectedRevision: number): void {
  needs(key.revision === expectedRevision + 1, `key.revision must be expectedRevision + 1 (${expectedRevision + 1}), got ${key.revision}`);
}

// Precondition: a version belongs to the key it is stored with, and that key names it primary
// (the primary is always the newest version).
export function requireVersionIsPrimaryOf(key: Key, version: KeyVersion): void {
  needs(version.keyId === key.keyId, `version ${version.keyVersionId} belongs to key ${version.keyId}, not ${key.keyId}`);
  needs(
    key.primaryKeyVersionId === version.keyVersionId,
    `key ${key.keyId} must name the new version ${version.keyVersionId} primary, names ${key.primaryKeyVersionId}`,
  );
}

// Precondition: replaced material belongs to a version of the key being stored.
export function requireVersionOf(key: Key, version: KeyVersion, stored: KeyVersion | undefined): asserts stored is KeyVersion {
  needs(version.keyId === key.keyId, `version ${version.keyVersionId} belongs to key ${version.keyId}, not ${key.keyId}`);
  needs(stored !== undefined && stored.keyId === key.keyId, `key ${key.keyId} has no version ${version.keyVersionId}`);
}

// Precondition: every write of a batch is well formed. Checked for the whole batch before any of
// it runs, so that a caller's mistake is reported even where an earlier write would conflict.
export function requireWellFormedBatch(writes: readonly StoreWrite[]): void {
  for (const write of writes) requireWellFormedWrite(write);
}

function requireWellFormedWrite(write: StoreWrite): void {
  switch (write.kind) {
    case 'create-key':
      return requireVersionIsPrimaryOf(write.key, write.firstVersion);
    case 'update-key':
    case 'replace-key-material':
      return requireNextRevision(write.key, write.expectedRevision);
    case 'add-key-version':
      requireNextRevision(write.key, write.expectedRevision);
      return requireVersionIsPrimaryOf(write.key, write.version);
    case 'delete-key':
    case 'require-key-revision':
    case 'create-alias':
    case 'update-alias':
    case 'delete-alias':
    case 'put-access-key':
    case 'put-metadata':
      return;
    default:
      return unknownWrite(write);
  }
}

// The port is typed, but a batch may be built by code the compiler did not see (JavaScript, JSON).
export function unknownWrite(write: never): never {
  const kind: unknown = (write as { kind?: unknown } | null)?.kind;
  throw new StorePreconditionError(`unknown store write kind ${String(kind)}`);
}

/**
 * Runs synchronous store work and hands its outcome back as a promise: resolved with its result,
 * or rejected with what it threw. Port methods never throw synchronously, whatever the adapter
 * does inside.
 */
export function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
