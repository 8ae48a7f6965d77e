import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { KeyUsage, Origin, ProtectionLevel, KeySpec } from '../../src/domain/key-spec.js';
import { KeyState } from '../../src/domain/key-state.js';
import type { Key } from '../../src/domain/key.js';
import type { KeyProtector, KeyStore } from '../../src/domain/ports.js';
import { MemoryKeyStore } from '../../src/keystore/memory-key-store.js';
import { KeyRing } from '../../src/operations/key-ring.js';
import { addKeyVersion } from '../../src/operations/rotation.js';
import { RootKey } from '../../src/protection/root-key.js';
import { SoftwareKeyProtector } from '../../src/protection/software-key-protector.js';

const scope = { region: 'cn-hangzhou', accountId: '42' };

/** Counts the store calls a KeyRing makes, by method name. */
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

async function keyWithVersions(ring: KeyRing, protector: KeyProtector, store: KeyStore, versions: number): Promise<Key> {
  const now = Date.UTC(2026, 0, 1);
  const keyId = randomUUID();
  const keyVersionId = randomUUID();
  let key: Key = {
    keyId, keySpec: KeySpec.Sm4, keyUsage: KeyUsage.EncryptDecrypt, origin: Origin.AliyunKms,
    protectionLevel: ProtectionLevel.Software, keyState: KeyState.Enabled, description: '', creator: '42',
    creationDate: now, deleteDate: null, deletionProtection: false, deletionProtectionDescription: '',
    automaticRotation: false, rotationIntervalSeconds: null, lastRotationDate: now, primaryKeyVersionId: keyVersionId,
    materialExpireTime: null, tags: [], revision: 1,
  };
  await store.createKey(key, { keyId, keyVersionId, creationDate: now, material: await protector.generate(KeySpec.Sm4, keyVersionId), materialCommitment: null });
  for (let i = 1; i < versions; i++) {
    const rotated = await addKeyVersion(ring, { now: () => now + i }, key);
    assert.ok(rotated, 'rotation landed');
    key = rotated;
  }
  return key;
}

describe('KeyRing', () => {
  it('loads every version of a key in one query and then opens any of them without the store', async () => {
    const memory = new MemoryKeyStore();
    const protector = new SoftwareKeyProtector(RootKey.fromSecret(SecretBytes.random(32)));
    const protectors = new Map([[ProtectionLevel.Software, protector]]);
    const writer = new KeyRing(memory, protectors, { now: () => Date.now() }, scope);
    const key = await keyWithVersions(writer, protector, memory, 300);
    const { items } = await memory.listKeyVersions(key.keyId, { pageNumber: 1, pageSize: 1000 });
    assert.equal(items.length, 300);

    const { store, calls } = countingStore(memory);
    const ring = new KeyRing(store, protectors, { now: () => 0 }, scope);
    const oldest = items[0]!.keyVersionId;
    await ring.openVersion(oldest);
    assert.equal(calls.get('listKeyVersions'), 1);
    const before = [...calls.values()].reduce((a, b) => a + b, 0);
    for (const version of items) await ring.openVersion(version.keyVersionId);
    const after = [...calls.values()].reduce((a, b) => a + b, 0);
    assert.equal(after, before, 'no store call once the key is loaded (the fake clock keeps the record fresh)');
  });
});

describe('KeyRing forgets destroyed keys', () => {
  it('drops the opened versions of a destroyed key, so their material does not stay in memory', async () => {
    const memory = new MemoryKeyStore();
    const protector = new SoftwareKeyProtector(RootKey.fromSecret(SecretBytes.random(32)));
    const protectors = new Map([[ProtectionLevel.Software, protector]]);
    const writer = new KeyRing(memory, protectors, { now: () => Date.now() }, scope);
    const key = await keyWithVersions(writer, protector, memory, 3);
    const { store, calls } = countingStore(memory);
    const ring = new KeyRing(store, protectors, { now: () => 0 }, scope);
    await ring.openVersion(key.primaryKeyVersionId);
    const loads = calls.get('listKeyVersions');
    ring.forgetDestroyedKey(key.keyId);
    await ring.openVersion(key.primaryKeyVersionId);
    assert.equal(calls.get('listKeyVersions'), (loads ?? 0) + 1, 'the versions were loaded again: none was kept');
  });
});
