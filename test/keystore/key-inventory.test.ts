// The KeyInventory port, the same cases for every adapter that offers it (memory, SQLite): keys
// counted by stored state, spec and protection level, key versions counted; and SQLite's commit
// observer, which the store metrics read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { KeySpec, ProtectionLevel } from '../../src/domain/key-spec.js';
import { KeyState } from '../../src/domain/key-state.js';
import type { KeyInventory, KeyStore } from '../../src/domain/ports.js';
import { MemoryKeyStore } from '../../src/keystore/memory-key-store.js';
import { SqliteKeyStore } from '../../src/keystore/sqlite/sqlite-key-store.js';
import { makeKeyWithVersion, rotated, T0 } from './fixtures.js';

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'arca-inventory-'));
after(() => fs.rmSync(directory, { recursive: true, force: true }));

function describeInventory(name: string, open: () => KeyStore & KeyInventory & { close?(): Promise<void> }): void {
  describe(`KeyInventory: ${name}`, () => {
    it('an empty store has no keys and no versions', async () => {
      const store = open();
      assert.deepEqual(await store.countKeys(), []);
      assert.equal(await store.countKeyVersions(), 0);
      await store.close?.();
    });

    it('counts keys by state, spec and protection level, and every version', async () => {
      const store = open();
      const first = makeKeyWithVersion();
      await store.createKey(first.key, first.version);
      const second = makeKeyWithVersion();
      await store.createKey(second.key, second.version);
      const next = rotated(second.key, T0 + 1000);
      await store.addKeyVersion(next.key, next.version, second.key.revision);
      const sm4 = makeKeyWithVersion({ keySpec: KeySpec.Sm4, keyState: KeyState.Disabled });
      await store.createKey(sm4.key, sm4.version);
      const hsm = makeKeyWithVersion({
        protectionLevel: ProtectionLevel.Hsm,
        keyState: KeyState.PendingDeletion,
        deleteDate: T0 + 7 * 86_400_000,
      });
      await store.createKey(hsm.key, hsm.version);
      assert.deepEqual(await store.countKeys(), [
        { keyState: 'Disabled', keySpec: 'Aliyun_SM4', protectionLevel: 'SOFTWARE', count: 1 },
        { keyState: 'Enabled', keySpec: 'Aliyun_AES_256', protectionLevel: 'SOFTWARE', count: 2 },
        { keyState: 'PendingDeletion', keySpec: 'Aliyun_AES_256', protectionLevel: 'HSM', count: 1 },
      ]);
      assert.equal(await store.countKeyVersions(), 5);
      await store.deleteKey(next.key.keyId, next.key.revision);
      assert.equal(await store.countKeyVersions(), 3, 'a deleted key takes its versions along');
      await store.close?.();
    });
  });
}

describeInventory('memory', () => new MemoryKeyStore());
let files = 0;
describeInventory('sqlite', () => SqliteKeyStore.open(path.join(directory, `inventory-${(files += 1)}.db`)));

describe('SqliteKeyStore commit observer', () => {
  it('is told of each group commit: the writes it held and its time', async () => {
    const store = SqliteKeyStore.open(path.join(directory, 'observed.db'));
    const commits: Array<{ writes: number; durationMs: number }> = [];
    store.observeCommits((writes, durationMs) => commits.push({ writes, durationMs }));
    const made = [makeKeyWithVersion(), makeKeyWithVersion(), makeKeyWithVersion()];
    // Queued in one turn of the event loop: one transaction.
    await Promise.all(made.map(({ key, version }) => store.createKey(key, version)));
    const alone = makeKeyWithVersion();
    await store.createKey(alone.key, alone.version);
    assert.deepEqual(
      commits.map(({ writes }) => writes),
      [3, 1],
    );
    assert.ok(commits.every(({ durationMs }) => durationMs >= 0 && durationMs < 10_000));
    await store.close();
  });
});
