import assert from 'node:assert/strict';
import { pino } from 'pino';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import type { AuditEvent, AuditSink, AuditTrail } from '../../src/domain/audit-event.js';
import { EMPTY_CONTEXT } from '../../src/domain/encryption-context.js';
import { KmsError, type ErrorKind } from '../../src/domain/errors.js';
import type { Key } from '../../src/domain/key.js';
import { keyIdReference } from '../../src/domain/key-reference.js';
import { ProtectionLevel } from '../../src/domain/key-spec.js';
import type { Clock, KeyProtector, KeyStore } from '../../src/domain/ports.js';
import { DEFAULT_MIN_ROTATION_INTERVAL_SECONDS, parseDurationSeconds } from '../../src/domain/rotation-interval.js';
import { MemoryKeyStore } from '../../src/keystore/memory-key-store.js';
import { createKey } from '../../src/operations/create-key.js';
import { decrypt } from '../../src/operations/decrypt.js';
import { encrypt } from '../../src/operations/encrypt.js';
import { KeyRepository } from '../../src/operations/key-repository.js';
import { IdentityRepository } from '../../src/operations/ram/identity-repository.js';
import type { Caller, Operation, ResourceSpecs } from '../../src/operations/operation.js';
import { administratorOnly } from '../../src/pipeline/authorizer.js';
import { OperationRunner } from '../../src/pipeline/runner.js';
import { RootKey } from '../../src/protection/root-key.js';
import { SoftwareKeyProtector } from '../../src/protection/software-key-protector.js';

export const SECOND = 1000;
export const DAY = 86_400 * SECOND;
/** A fixed instant to start from. */
export const T0 = Date.UTC(2024, 0, 15, 8, 30, 0);
export const SCOPE = { region: 'cn-hangzhou', accountId: '1234567890123456' };

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

/** An AuditSink that keeps every event it is given, in order. */
export class CapturingAuditSink implements AuditSink {
  readonly events: AuditEvent[] = [];
  emit(event: AuditEvent): void {
    this.events.push(event);
  }
}

export interface Harness {
  readonly store: KeyStore;
  readonly clock: FakeClock;
  readonly keys: KeyRepository;
  /** The pipeline the operations and the jobs' actions run through (it is the jobs' recorder). */
  readonly runner: OperationRunner;
  /** Runs an operation through the runner as Arca itself (`executeAsSystem`). */
  run<I, O, R extends ResourceSpecs>(operation: Operation<I, O, R>, input: I): Promise<O>;
  /** Runs an operation through the runner as a request authenticated as `caller` would. */
  runAs<I, O, R extends ResourceSpecs>(caller: Caller, operation: Operation<I, O, R>, input: I): Promise<O>;
  /** Every audit event the runner emitted so far, oldest first. */
  readonly auditEvents: readonly AuditEvent[];
}

export function newRootKey(): RootKey {
  return RootKey.fromSecret(SecretBytes.random(32));
}

/**
 * A KeyRepository over `store` (a MemoryKeyStore unless given) and a software protector, and an
 * OperationRunner around it wired as composePipeline wires it (administrator-only authorisation),
 * with an audit sink that keeps the events.
 */
export function harness(options: { store?: KeyStore; clock?: FakeClock; rootKey?: RootKey; trail?: AuditTrail } = {}): Harness {
  const store = options.store ?? new MemoryKeyStore();
  const clock = options.clock ?? new FakeClock();
  const rootKey = options.rootKey ?? newRootKey();
  const protectors = new Map<ProtectionLevel, KeyProtector>([[ProtectionLevel.Software, new SoftwareKeyProtector(rootKey)]]);
  const keys = new KeyRepository(store, protectors, clock, SCOPE);
  const audit = new CapturingAuditSink();
  const runner = new OperationRunner({
    keys,
    // The jobs touch no identity; a store of its own keeps the harness's store any KeyStore.
    identities: new IdentityRepository(new MemoryKeyStore().identities, rootKey, clock, SCOPE.accountId),
    authorizer: administratorOnly,
    audit,
    ...(options.trail ? { trail: options.trail } : {}),
    clock,
    settings: { minRotationIntervalSeconds: DEFAULT_MIN_ROTATION_INTERVAL_SECONDS },
    secrets: rootKey,
    logger: pino({ level: 'silent' }),
  });
  let requests = 0;
  return {
    store,
    clock,
    keys,
    runner,
    run: (operation, input) => runner.executeAsSystem(operation, input),
    runAs: (caller, operation, input) =>
      runner.serve(
        { source: 'test', requestId: `test-request-${(requests += 1)}` },
        (call) => {
          call.claimAccessKey(caller.accessKeyId);
          call.authenticated(caller);
          return call.execute(operation, input);
        },
        (error) => error.kind,
      ),
    get auditEvents() {
      return audit.events;
    },
  };
}

/** A key made through CreateKey, rotating automatically every `rotationInterval` (e.g. `7d`). */
export async function createRotatingKey(h: Harness, rotationInterval = '7d'): Promise<Key> {
  const rotationIntervalSeconds = parseDurationSeconds(rotationInterval);
  assert.ok(rotationIntervalSeconds !== undefined, `${rotationInterval} is a duration`);
  return h.run(createKey, { enableAutomaticRotation: true, rotationIntervalSeconds });
}

export async function createPlainKey(h: Harness): Promise<Key> {
  return h.run(createKey, {});
}

/** Encrypt of the UTF-8 bytes of `plaintext`; the blob as the Alibaba wire carries it (base64). */
export async function encryptWith(h: Harness, keyId: string, plaintext: string): Promise<string> {
  const sealed = await h.run(encrypt, {
    key: keyIdReference(keyId),
    plaintext: Buffer.from(plaintext, 'utf8'),
    encryptionContext: EMPTY_CONTEXT,
    dryRun: false,
  });
  return sealed.ciphertextBlob.toString('base64');
}

export async function decryptWith(h: Harness, ciphertextBlob: string): Promise<string> {
  const opened = await h.run(decrypt, {
    ciphertextBlob: Buffer.from(ciphertextBlob, 'base64'),
    encryptionContext: EMPTY_CONTEXT,
    dryRun: false,
  });
  return opened.plaintext.toString('utf8');
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
