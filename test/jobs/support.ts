import assert from 'node:assert/strict';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { EMPTY_CONTEXT } from '../../src/domain/encryption-context.js';
import { KmsError, type ErrorKind } from '../../src/domain/errors.js';
import type { Key } from '../../src/domain/key.js';
import { ProtectionLevel } from '../../src/domain/key-spec.js';
import type { Clock, KeyProtector, KeyStore } from '../../src/domain/ports.js';
import { DEFAULT_MIN_ROTATION_INTERVAL_SECONDS } from '../../src/domain/rotation-interval.js';
import { MemoryKeyStore } from '../../src/keystore/memory-key-store.js';
import { ADMIN_PRINCIPAL } from '../../src/operations/authorization.js';
import { createKey } from '../../src/operations/create-key.js';
import { decrypt } from '../../src/operations/decrypt.js';
import { encrypt } from '../../src/operations/encrypt.js';
import { KeyRing } from '../../src/operations/key-ring.js';
import type { OperationContext } from '../../src/operations/operation.js';
import { RootKey } from '../../src/protection/root-key.js';
import { SoftwareKeyProtector } from '../../src/protection/software-key-protector.js';

export const SECOND = 1000;
export const DAY = 86_400 * SECOND;
/** A fixed instant to start from. */
export const T0 = Date.UTC(2024, 0, 15, 8, 30, 0);

/** Time that moves only when a test says so. */
export class FakeClock implements Clock {
  #nowMs: number;
  constructor(startMs: number = T0) {
    this.#nowMs = startMs;
  }
  now(): number {
    return this.#nowMs;
  }
  advance(ms: number): void {
    this.#nowMs += ms;
  }
}

export interface Harness {
  readonly store: KeyStore;
  readonly clock: FakeClock;
  readonly keys: KeyRing;
  /** An administrator's context, for calling operations as a request would. */
  readonly context: OperationContext;
}

export function newRootKey(): RootKey {
  return RootKey.fromSecret(SecretBytes.random(32));
}

/** A KeyRing over `store` (a MemoryKeyStore unless given) and a software protector. */
export function harness(options: { store?: KeyStore; clock?: FakeClock; rootKey?: RootKey } = {}): Harness {
  const store = options.store ?? new MemoryKeyStore();
  const clock = options.clock ?? new FakeClock();
  const rootKey = options.rootKey ?? newRootKey();
  const protectors = new Map<ProtectionLevel, KeyProtector>([[ProtectionLevel.Software, new SoftwareKeyProtector(rootKey)]]);
  const keys = new KeyRing(store, protectors, clock, { region: 'cn-hangzhou', accountId: '1234567890123456' });
  const context: OperationContext = {
    caller: { accessKeyId: 'LTAItestJobs', principal: ADMIN_PRINCIPAL },
    requestId: 'test-request',
    keys,
    clock,
    settings: { minRotationIntervalSeconds: DEFAULT_MIN_ROTATION_INTERVAL_SECONDS },
    audit: {},
    secrets: rootKey,
  };
  return { store, clock, keys, context };
}

/** A key made through CreateKey, rotating automatically every `rotationInterval` (e.g. `7d`). */
export async function createRotatingKey(h: Harness, rotationInterval = '7d'): Promise<Key> {
  return createKey.execute(h.context, { enableAutomaticRotation: true, rotationInterval });
}

export async function createPlainKey(h: Harness): Promise<Key> {
  return createKey.execute(h.context, {});
}

export async function encryptWith(h: Harness, keyId: string, plaintext: string): Promise<string> {
  const sealed = await encrypt.execute(h.context, { keyId, plaintext, encryptionContext: EMPTY_CONTEXT, dryRun: false });
  return sealed.ciphertextBlob;
}

export async function decryptWith(h: Harness, ciphertextBlob: string): Promise<string> {
  return (await decrypt.execute(h.context, { ciphertextBlob, encryptionContext: EMPTY_CONTEXT, dryRun: false })).plaintext;
}

export async function versionCount(store: KeyStore, keyId: string): Promise<number> {
  return (await store.listKeyVersions(keyId, { pageNumber: 1, pageSize: 1 })).totalCount;
}

export async function assertKmsError(promise: Promise<unknown>, errorName: ErrorKind): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof KmsError, `expected KmsError ${errorName}, got ${String(error)}`);
    assert.equal(error.kind, errorName);
    return true;
  });
}
