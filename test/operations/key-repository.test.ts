import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { KmsError } from '../../src/domain/errors.js';
import { KeyUsage, Origin, ProtectionLevel, KeySpec } from '../../src/domain/key-spec.js';
import { KeyState } from '../../src/domain/key-state.js';
import type { Key } from '../../src/domain/key.js';
import type { KeyProtector, KeyStore } from '../../src/domain/ports.js';
import { MemoryKeyStore } from '../../src/keystore/memory-key-store.js';
import { KeyRepository } from '../../src/operations/key-repository.js';
import { RootKey } from '../../src/protection/root-key.js';
import { SoftwareKeyProtector } from '../../src/protection/software-key-protector.js';

const scope = { region: 'cn-hangzhou', accountId: '42' };

/** Counts the store calls a KeyRepository makes, by method name. */
function countingStore(store: KeyStore): { store: KeyStore; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(property), (calls.get(String(property)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

/** A clock that moves one millisecond on every reading, from 2026-01-01. */
function steppingClock(): { now: () => number } {
  let nowMs = Date.UTC(2026, 0, 1);
  return { now: () => nowMs++ };
}

/** A key with `versions` versions, rotated through `keys` with its clock one millisecond apart. */
async function keyWithVersions(
  clock: { now: () => number },
  keys: KeyRepository,
  protector: KeyProtector,
  store: KeyStore,
  versions: number,
): Promise<Key> {
  const now = clock.now();
  const keyId = randomUUID();
  const keyVersionId = randomUUID();
  let key: Key = {
    keyId,
    keySpec: KeySpec.Sm4,
    keyUsage: KeyUsage.EncryptDecrypt,
    origin: Origin.AliyunKms,
    protectionLevel: ProtectionLevel.Software,
    keyState: KeyState.Enabled,
    description: '',
    creator: '42',
    creationDate: now,
    deleteDate: null,
    deletionProtection: false,
    deletionProtectionDescription: '',
    automaticRotation: false,
    rotationIntervalSeconds: null,
    lastRotationDate: now,
    primaryKeyVersionId: keyVersionId,
    materialExpireTime: null,
    keyPolicy: null,
    tags: [],
    revision: 1,
  };
  await store.createKey(key, {
    keyId,
    keyVersionId,
    creationDate: now,
    material: await protector.generate(KeySpec.Sm4, keyVersionId),
    materialCommitment: null,
  });
  for (let i = 1; i < versions; i++) {
    const rotated = await keys.rotate(key);
    assert.ok(rotated, 'rotation landed');
    key = rotated;
  }
  return key;
}

describe('KeyRepository', () => {
  it('loads every version of a key in one query and then opens any of them without the store', async () => {
    const memory = new MemoryKeyStore();
    const protector = new SoftwareKeyProtector(RootKey.fromSecret(SecretBytes.random(32)));
    const protectors = new Map([[ProtectionLevel.Software, protector]]);
    const clock = steppingClock();
    const writer = new KeyRepository(memory, protectors, clock, scope);
    const key = await keyWithVersions(clock, writer, protector, memory, 300);
    const { items } = await memory.listKeyVersions(key.keyId, { pageNumber: 1, pageSize: 1000 });
    assert.equal(items.length, 300);

    const { store, calls } = countingStore(memory);
    const ring = new KeyRepository(store, protectors, { now: () => 0 }, scope);
    const oldest = items[0]!.keyVersionId;
    await ring.openVersion(oldest);
    assert.equal(calls.get('listKeyVersions'), 1);
    const before = [...calls.values()].reduce((a, b) => a + b, 0);
    for (const version of items) await ring.openVersion(version.keyVersionId);
    const after = [...calls.values()].reduce((a, b) => a + b, 0);
    assert.equal(after, before, 'no store call once the key is loaded (the fake clock keeps the record fresh)');
  });
});

describe('KeyRepository forgets destroyed keys', () => {
  it('drops the opened versions of a destroyed key, so their material does not stay in memory', async () => {
    const memory = new MemoryKeyStore();
    const protector = new SoftwareKeyProtector(RootKey.fromSecret(SecretBytes.random(32)));
    const protectors = new Map([[ProtectionLevel.Software, protector]]);
    const clock = steppingClock();
    const writer = new KeyRepository(memory, protectors, clock, scope);
    const key = await keyWithVersions(clock, writer, protector, memory, 3);
    const { store, calls } = countingStore(memory);
    const ring = new KeyRepository(store, protectors, { now: () => 0 }, scope);
    await ring.openVersion(key.primaryKeyVersionId);
    const reads = calls.get('getKeyVersion') ?? 0;
    await ring.openVersion(key.primaryKeyVersionId);
    assert.equal(calls.get('getKeyVersion') ?? 0, reads, 'an opened version is answered from memory');
    assert.equal(await ring.deleteKey(key), true);
    await assert.rejects(
      ring.openVersion(key.primaryKeyVersionId),
      (error: unknown) => error instanceof KmsError && error.kind === 'KeyNotFound',
    );
    assert.equal(calls.get('getKeyVersion'), reads + 1, 'the version was looked up in the store again: none was kept');
  });
});
