import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ProtectionKind, type Alias, type Key, type KeyVersion, type Tag } from '../../src/domain/key.js';
import { KeySpec, KeyUsage, Origin, ProtectionLevel } from '../../src/domain/key-spec.js';
import { KeyState } from '../../src/domain/key-state.js';
import {
  StoreConflictError,
  type AccessKeyStore,
  type KeyFilter,
  type KeyStore,
  type MetadataStore,
  type StoreConflictReason,
  type StoreWrite,
} from '../../src/domain/ports.js';
import { StorePreconditionError } from '../../src/keystore/store-support.js';
import { T0, makeAccessKey, makeAlias, makeKey, makeKeyWithVersion, makeVersion, rotated, sealedOf } from './fixtures.js';

export type ContractStore = KeyStore & AccessKeyStore & MetadataStore;

export interface OpenedStore {
  store: ContractStore;
  cleanup: () => Promise<void>;
  /**
   * Another handle on the same data, the way another process (or this one after a restart)
   * would open it: what it reads is what is durable. The test closes it.
   */
  openAgain: () => Promise<{ store: ContractStore; close: () => Promise<void> }>;
}

type Mutable<T> = { -readonly [P in keyof T]: T[P] };

const MINUTE = 60_000;
const FIRST_PAGE_OF_100 = { pageNumber: 1, pageSize: 100 };

async function assertConflict(promise: Promise<unknown>, reason: StoreConflictReason, label = ''): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StoreConflictError, `${label}: expected StoreConflictError, got ${String(error)}`);
    assert.equal(error.reason, reason, label);
    return true;
  });
}

async function assertPrecondition(call: () => Promise<unknown>): Promise<void> {
  // A function, not a promise: assert.rejects then also catches a synchronous throw and fails on it.
  await assert.rejects(call, StorePreconditionError);
}

/** Mutates a record the store handed out; a frozen record may refuse, which is just as good. */
function tryToMutate(mutate: () => void): void {
  try {
    mutate();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}

/**
 * The behaviour every KeyStore / AccessKeyStore / MetadataStore adapter must show. Each test gets
 * a fresh, empty store from `open` and hands it back to `cleanup`.
 */
export function describeKeyStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  void describe(`${name} (KeyStore contract)`, () => {
    let store: ContractStore;
    let cleanup: (() => Promise<void>) | undefined;
    let openAgain: OpenedStore['openAgain'];

    beforeEach(async () => {
      ({ store, cleanup, openAgain } = await open());
    });

    afterEach(async () => {
      await cleanup?.();
      cleanup = undefined;
    });

    async function createdKey(overrides: Partial<Key> = {}): Promise<{ key: Key; version: KeyVersion }> {
      const made = makeKeyWithVersion(overrides);
      await store.createKey(made.key, made.version);
      return made;
    }

    async function keyIdsMatching(filter: KeyFilter): Promise<string[]> {
      const page = await store.listKeys(filter, FIRST_PAGE_OF_100);
      return page.items.map((key) => key.keyId);
    }

    void describe('keys', () => {
      void it('createKey then getKey returns every field, tags in order', async () => {
        const tags: Tag[] = [
          { tagKey: 'team', tagValue: 'payments' },
          { tagKey: 'env', tagValue: 'prod' },
          { tagKey: 'ünïcødé', tagValue: '密钥 "quoted" \\ back' },
        ];
        const { key } = await createdKey({
          keySpec: KeySpec.Sm4,
          origin: Origin.External,
          protectionLevel: ProtectionLevel.Hsm,
          keyState: KeyState.PendingDeletion,
          description: 'every field set',
          creator: 'alice',
          creationDate: T0 + 1,
          deleteDate: T0 + 7 * 24 * 60 * MINUTE,
          deletionProtection: true,
          deletionProtectionDescription: 'do not delete',
          automaticRotation: true,
          rotationIntervalSeconds: 7 * 24 * 3600,
          lastRotationDate: T0 + 2,
          materialExpireTime: T0 + 365 * 24 * 60 * MINUTE,
          tags,
          revision: 7,
        });
        assert.deepEqual(await store.getKey(key.keyId), key);
      });

      void it('getKey round-trips null fields, false flags and an empty tag list', async () => {
        const { key } = await createdKey({
          deleteDate: null,
          rotationIntervalSeconds: null,
          materialExpireTime: null,
          deletionProtection: false,
          automaticRotation: false,
          tags: [],
        });
        assert.deepEqual(await store.getKey(key.keyId), key);
      });

      void it('createKey stores the first version with byte-equal material', async () => {
        const { version } = await createdKey();
        const stored = await store.getKeyVersion(version.keyVersionId);
        assert.ok(stored, 'the first version is stored');
        assert.deepEqual(stored, version);
        assert.ok(Buffer.isBuffer(sealedOf(stored)), 'sealed material comes back as a Buffer');
      });

      void it('getKey and getKeyVersion of unknown ids resolve undefined', async () => {
        await createdKey();
        assert.equal(await store.getKey('00000000-0000-0000-0000-000000000000'), undefined);
        assert.equal(await store.getKeyVersion('00000000-0000-0000-0000-000000000000'), undefined);
      });

      void it('createKey with an existing key id fails with exists and keeps the stored key', async () => {
        const { key } = await createdKey();
        const impostor = makeKeyWithVersion({ keyId: key.keyId, description: 'impostor' });
        await assertConflict(store.createKey(impostor.key, impostor.version), 'exists');
        assert.deepEqual(await store.getKey(key.keyId), key);
        assert.equal(await store.getKeyVersion(impostor.version.keyVersionId), undefined);
      });

      void it('createKey with an existing version id fails with exists and stores no key', async () => {
        const { version } = await createdKey();
        const second = makeKeyWithVersion({ primaryKeyVersionId: version.keyVersionId });
        await assertConflict(store.createKey(second.key, second.version), 'exists');
        assert.equal(await store.getKey(second.key.keyId), undefined);
        assert.deepEqual(await store.getKeyVersion(version.keyVersionId), version);
      });

      void it('createKey refuses a first version that belongs to another key or is not the primary', async () => {
        const { key, version } = makeKeyWithVersion();
        await assertPrecondition(() => store.createKey(key, { ...version, keyId: 'another-key' }));
        await assertPrecondition(() => store.createKey(key, makeVersion(key.keyId)));
        assert.equal(await store.getKey(key.keyId), undefined);
      });
    });

    void describe('updateKey', () => {
      void it('stores the next revision when the expected revision matches', async () => {
        const { key } = await createdKey({ revision: 3 });
        const next = { ...key, keyState: KeyState.Disabled, description: 'changed', revision: 4 };
        await store.updateKey(next, 3);
        assert.deepEqual(await store.getKey(key.keyId), next);
      });

      void it('keeps a key policy as written, and null (the default key policy) again when it is cleared', async () => {
        const policy =
          '{"Version":"1","Statement":[{"Effect":"Allow","Principal":{"RAM":["acs:ram::1:user/app"]},"Action":"kms:Encrypt","Resource":"*"}]}';
        const { key } = await createdKey({ revision: 1, keyPolicy: policy });
        assert.equal((await store.getKey(key.keyId))?.keyPolicy, policy);
        const durable = await openAgain();
        try {
          assert.equal((await durable.store.getKey(key.keyId))?.keyPolicy, policy);
        } finally {
          await durable.close();
        }
        await store.updateKey({ ...key, keyPolicy: null, revision: 2 }, 1);
        assert.equal((await store.getKey(key.keyId))?.keyPolicy, null);
      });

      void it('fails with stale-revision on an old revision and changes nothing', async () => {
        const { key } = await createdKey({ revision: 3 });
        await store.updateKey({ ...key, description: 'first writer', revision: 4 }, 3);
        await assertConflict(store.updateKey({ ...key, description: 'second writer', revision: 4 }, 3), 'stale-revision');
        assert.equal((await store.getKey(key.keyId))?.description, 'first writer');
        assert.equal((await store.getKey(key.keyId))?.revision, 4);
      });

      void it('lets exactly one of two concurrent writers of the same revision succeed', async () => {
        const { key } = await createdKey({ revision: 1 });
        const outcomes = await Promise.allSettled([
          store.updateKey({ ...key, description: 'a', revision: 2 }, 1),
          store.updateKey({ ...key, description: 'b', revision: 2 }, 1),
        ]);
        assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1);
        const refused = outcomes.find((outcome) => outcome.status === 'rejected');
        assert.ok(refused?.status === 'rejected' && refused.reason instanceof StoreConflictError, 'the loser gets a conflict');
        assert.equal(refused.reason.reason, 'stale-revision');
      });

      void it('fails with missing for a key that does not exist', async () => {
        const key = makeKey({ revision: 2 });
        await assertConflict(store.updateKey(key, 1), 'missing');
        assert.equal(await store.getKey(key.keyId), undefined);
      });

      void it('refuses a record whose revision is not expectedRevision + 1 and changes nothing', async () => {
        const { key } = await createdKey({ revision: 1 });
        await assertPrecondition(() => store.updateKey({ ...key, description: 'skipped ahead', revision: 5 }, 1));
        await assertPrecondition(() => store.updateKey({ ...key, description: 'same revision' }, 1));
        assert.deepEqual(await store.getKey(key.keyId), key);
      });
    });

    void describe('addKeyVersion', () => {
      void it('adds the version and makes it primary in the same step', async () => {
        const { key } = await createdKey({ revision: 1 });
        const next = rotated(key, T0 + MINUTE);
        await store.addKeyVersion(next.key, next.version, 1);
        assert.deepEqual(await store.getKey(key.keyId), next.key);
        assert.deepEqual(await store.getKeyVersion(next.version.keyVersionId), next.version);
      });

      void it('with a stale revision adds no version and leaves the key alone', async () => {
        const { key } = await createdKey({ revision: 1 });
        const winner = rotated(key, T0 + MINUTE);
        const loser = rotated(key, T0 + MINUTE);
        await store.addKeyVersion(winner.key, winner.version, 1);
        await assertConflict(store.addKeyVersion(loser.key, loser.version, 1), 'stale-revision');
        assert.equal(await store.getKeyVersion(loser.version.keyVersionId), undefined);
        assert.deepEqual(await store.getKey(key.keyId), winner.key);
        assert.equal((await store.listKeyVersions(key.keyId, FIRST_PAGE_OF_100)).totalCount, 2);
      });

      void it('fails with missing for a key that does not exist and adds no version', async () => {
        const next = rotated(makeKey({ revision: 1 }), T0);
        await assertConflict(store.addKeyVersion(next.key, next.version, 1), 'missing');
        assert.equal(await store.getKeyVersion(next.version.keyVersionId), undefined);
      });

      void it('with an existing version id fails with exists and does not update the key', async () => {
        const { key } = await createdKey({ revision: 1 });
        const other = await createdKey();
        const clash = makeVersion(key.keyId, { keyVersionId: other.version.keyVersionId, creationDate: T0 + MINUTE });
        const next = { ...key, primaryKeyVersionId: clash.keyVersionId, revision: 2 };
        await assertConflict(store.addKeyVersion(next, clash, 1), 'exists');
        assert.deepEqual(await store.getKey(key.keyId), key, 'the key update was rolled back');
        assert.deepEqual(await store.getKeyVersion(clash.keyVersionId), other.version);
      });

      void it('refuses a version the key does not name primary, or that belongs to another key', async () => {
        const { key } = await createdKey({ revision: 1 });
        const next = rotated(key, T0 + MINUTE);
        await assertPrecondition(() => store.addKeyVersion(key, next.version, 0));
        await assertPrecondition(() => store.addKeyVersion(next.key, { ...next.version, keyId: 'another-key' }, 1));
        await assertPrecondition(() => store.addKeyVersion({ ...next.key, revision: 3 }, next.version, 1));
        assert.deepEqual(await store.getKey(key.keyId), key);
        assert.equal(await store.getKeyVersion(next.version.keyVersionId), undefined);
      });
    });

    void describe('listKeyVersions', () => {
      void it('lists one key’s versions in the order they were added, whatever their dates, with paging', async () => {
        const first = await createdKey({ revision: 1 });
        let key = first.key;
        const versionIds = [first.version.keyVersionId];
        // Dates out of order and one shared: only the order of addition may decide.
        for (const creationDate of [T0 + 3 * MINUTE, T0 + MINUTE, T0 + MINUTE, T0 + 2 * MINUTE]) {
          const next = rotated(key, creationDate);
          await store.addKeyVersion(next.key, next.version, key.revision);
          key = next.key;
          versionIds.push(next.version.keyVersionId);
        }
        await createdKey(); // another key's version must not appear
        const all = await store.listKeyVersions(key.keyId, FIRST_PAGE_OF_100);
        assert.equal(all.totalCount, 5);
        assert.deepEqual(
          all.items.map((version) => version.keyVersionId),
          versionIds,
        );

        const pageTwo = await store.listKeyVersions(key.keyId, { pageNumber: 2, pageSize: 2 });
        assert.equal(pageTwo.totalCount, 5);
        assert.deepEqual(pageTwo.items, all.items.slice(2, 4));
        const pageThree = await store.listKeyVersions(key.keyId, { pageNumber: 3, pageSize: 2 });
        assert.deepEqual(pageThree.items, all.items.slice(4));
        const beyond = await store.listKeyVersions(key.keyId, { pageNumber: 4, pageSize: 2 });
        assert.deepEqual(beyond, { items: [], totalCount: 5 });
      });

      void it('lists nothing for an unknown key', async () => {
        assert.deepEqual(await store.listKeyVersions('unknown', FIRST_PAGE_OF_100), { items: [], totalCount: 0 });
      });
    });

    void describe('listKeys', () => {
      void it('pages with pageNumber and pageSize and reports the total', async () => {
        const keys: Key[] = [];
        for (let i = 0; i < 5; i++) keys.push((await createdKey({ creationDate: T0 + i * MINUTE })).key);
        const pages = await Promise.all([1, 2, 3, 4].map((pageNumber) => store.listKeys({}, { pageNumber, pageSize: 2 })));
        assert.deepEqual(
          pages.map((page) => page.items),
          [keys.slice(0, 2), keys.slice(2, 4), keys.slice(4), []],
        );
        for (const page of pages) assert.equal(page.totalCount, 5);
      });

      void it('lists oldest first, ties broken by key id', async () => {
        const dates = [T0 + 2 * MINUTE, T0, T0 + MINUTE, T0, T0];
        const keys: Key[] = [];
        for (const creationDate of dates) keys.push((await createdKey({ creationDate })).key);
        const expected = [...keys].sort((a, b) => a.creationDate - b.creationDate || (a.keyId < b.keyId ? -1 : 1));
        assert.deepEqual((await store.listKeys({}, FIRST_PAGE_OF_100)).items, expected);
      });

      void describe('filters', () => {
        // Four keys that differ in state, spec and protection level, created in this order.
        let enabledAes: Key, disabledSm4: Key, pendingDeletionSm4Hsm: Key, enabledAesHsm: Key;
        beforeEach(async () => {
          enabledAes = (await createdKey({ creationDate: T0 })).key;
          disabledSm4 = (await createdKey({ creationDate: T0 + 1, keyState: KeyState.Disabled, keySpec: KeySpec.Sm4 })).key;
          pendingDeletionSm4Hsm = (
            await createdKey({
              creationDate: T0 + 2,
              keyState: KeyState.PendingDeletion,
              keySpec: KeySpec.Sm4,
              protectionLevel: ProtectionLevel.Hsm,
            })
          ).key;
          enabledAesHsm = (await createdKey({ creationDate: T0 + 3, protectionLevel: ProtectionLevel.Hsm })).key;
        });

        void it('keyState alone', async () => {
          assert.deepEqual(await keyIdsMatching({ keyState: [KeyState.Enabled] }), [enabledAes.keyId, enabledAesHsm.keyId]);
          assert.deepEqual(await keyIdsMatching({ keyState: [KeyState.PendingImport] }), []);
        });

        void it('keySpec alone', async () => {
          assert.deepEqual(await keyIdsMatching({ keySpec: [KeySpec.Sm4] }), [disabledSm4.keyId, pendingDeletionSm4Hsm.keyId]);
        });

        void it('keyUsage alone', async () => {
          const all = [enabledAes, disabledSm4, pendingDeletionSm4Hsm, enabledAesHsm].map((key) => key.keyId);
          assert.deepEqual(await keyIdsMatching({ keyUsage: [KeyUsage.EncryptDecrypt] }), all);
          // A usage no stored key has (Alibaba's asymmetric keys sign and verify).
          assert.deepEqual(await keyIdsMatching({ keyUsage: ['SIGN/VERIFY' as KeyUsage] }), []);
        });

        void it('protectionLevel alone', async () => {
          assert.deepEqual(await keyIdsMatching({ protectionLevel: [ProtectionLevel.Hsm] }), [
            pendingDeletionSm4Hsm.keyId,
            enabledAesHsm.keyId,
          ]);
        });

        void it('any of several values within one field', async () => {
          assert.deepEqual(await keyIdsMatching({ keyState: [KeyState.Disabled, KeyState.PendingDeletion] }), [
            disabledSm4.keyId,
            pendingDeletionSm4Hsm.keyId,
          ]);
        });

        void it('all fields together: AND across fields, OR within one', async () => {
          const filter: KeyFilter = {
            keyState: [KeyState.Enabled, KeyState.PendingDeletion],
            keySpec: [KeySpec.Sm4, KeySpec.Aes256],
            keyUsage: [KeyUsage.EncryptDecrypt],
            protectionLevel: [ProtectionLevel.Hsm],
          };
          assert.deepEqual(await keyIdsMatching(filter), [pendingDeletionSm4Hsm.keyId, enabledAesHsm.keyId]);
          assert.deepEqual(await keyIdsMatching({ ...filter, keySpec: [KeySpec.Aes256] }), [enabledAesHsm.keyId]);
          assert.deepEqual(await keyIdsMatching({ keyState: [KeyState.Disabled], protectionLevel: [ProtectionLevel.Hsm] }), []);
        });

        void it('an empty list of values places no constraint on its field', async () => {
          assert.equal((await keyIdsMatching({ keyState: [], keySpec: [KeySpec.Sm4] })).length, 2);
        });

        void it('totalCount counts the matching keys, not the page', async () => {
          const page = await store.listKeys({ keyState: [KeyState.Enabled, KeyState.Disabled] }, { pageNumber: 2, pageSize: 2 });
          assert.equal(page.totalCount, 3);
          assert.deepEqual(
            page.items.map((key) => key.keyId),
            [enabledAesHsm.keyId],
          );
        });
      });

      void it('refuses a page number below 1 or a page size below 1', async () => {
        await assertPrecondition(() => store.listKeys({}, { pageNumber: 0, pageSize: 10 }));
        await assertPrecondition(() => store.listKeys({}, { pageNumber: 1, pageSize: 0 }));
        await assertPrecondition(() => store.listKeyVersions('any', { pageNumber: 1.5, pageSize: 10 }));
        await assertPrecondition(() => store.listAliases({ pageNumber: -1, pageSize: 10 }));
      });
    });

    void describe('deleteKey', () => {
      void it('removes the key, its versions and its aliases, and nothing else', async () => {
        let { key } = await createdKey({ revision: 1 });
        const next = rotated(key, T0 + MINUTE);
        await store.addKeyVersion(next.key, next.version, 1);
        key = next.key;
        const alias = makeAlias(key.keyId);
        await store.createAlias(alias);
        const survivor = await createdKey();
        const survivorAlias = makeAlias(survivor.key.keyId);
        await store.createAlias(survivorAlias);

        await store.deleteKey(key.keyId, key.revision);

        assert.equal(await store.getKey(key.keyId), undefined);
        assert.equal(await store.getKeyVersion(next.version.keyVersionId), undefined);
        assert.deepEqual(await store.listKeyVersions(key.keyId, FIRST_PAGE_OF_100), { items: [], totalCount: 0 });
        assert.equal(await store.getAlias(alias.aliasName), undefined);
        assert.deepEqual(await store.getKey(survivor.key.keyId), survivor.key);
        assert.deepEqual(await store.getKeyVersion(survivor.version.keyVersionId), survivor.version);
        assert.deepEqual(await store.getAlias(survivorAlias.aliasName), survivorAlias);
      });

      void it('of an unknown key fails with missing and changes nothing', async () => {
        const { key } = await createdKey();
        await assertConflict(store.deleteKey('00000000-0000-0000-0000-000000000000', 1), 'missing');
        assert.deepEqual(await store.getKey(key.keyId), key);
      });

      void it('at a stale revision fails with stale-revision and deletes nothing', async () => {
        const { key, version } = await createdKey({ keyState: KeyState.PendingDeletion, deleteDate: T0, revision: 4 });
        const alias = makeAlias(key.keyId);
        await store.createAlias(alias);
        // A CancelKeyDeletion that landed between the deleter's read and its delete.
        const cancelled = { ...key, keyState: KeyState.Enabled, deleteDate: null, revision: 5 };
        await store.updateKey(cancelled, 4);

        await assertConflict(store.deleteKey(key.keyId, 4), 'stale-revision');
        await assertConflict(store.deleteKey(key.keyId, 6), 'stale-revision');

        assert.deepEqual(await store.getKey(key.keyId), cancelled);
        assert.deepEqual(await store.getKeyVersion(version.keyVersionId), version);
        assert.deepEqual(await store.getAlias(alias.aliasName), alias);
      });

      void it('a second delete of the same key fails with missing', async () => {
        const { key } = await createdKey({ revision: 2 });
        await store.deleteKey(key.keyId, 2);
        await assertConflict(store.deleteKey(key.keyId, 2), 'missing');
      });

      void it('lets exactly one of a delete and an update racing from the same revision land', async () => {
        const { key } = await createdKey({ keyState: KeyState.PendingDeletion, deleteDate: T0, revision: 1 });
        const outcomes = await Promise.allSettled([
          store.deleteKey(key.keyId, 1),
          store.updateKey({ ...key, keyState: KeyState.Enabled, deleteDate: null, revision: 2 }, 1),
        ]);
        assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1);
        const refused = outcomes.find((outcome) => outcome.status === 'rejected');
        assert.ok(refused?.status === 'rejected' && refused.reason instanceof StoreConflictError, 'the loser gets a conflict');
        const stored = await store.getKey(key.keyId);
        if (outcomes[0].status === 'fulfilled') {
          assert.equal(stored, undefined);
          assert.equal(refused.reason.reason, 'missing');
        } else {
          assert.equal(stored?.revision, 2);
          assert.equal(refused.reason.reason, 'stale-revision');
        }
      });
    });

    void describe('listKeysDueForRotation', () => {
      const DAY = 24 * 60 * MINUTE;
      const WEEK_IN_SECONDS = 7 * 24 * 3600;

      async function rotating(overrides: Partial<Key> = {}): Promise<Key> {
        const { key } = await createdKey({
          automaticRotation: true,
          rotationIntervalSeconds: WEEK_IN_SECONDS,
          lastRotationDate: T0,
          ...overrides,
        });
        return key;
      }

      async function dueIds(nowMs: number, limit = 100): Promise<string[]> {
        return (await store.listKeysDueForRotation(nowMs, limit)).map((key) => key.keyId);
      }

      void it('lists a key from lastRotationDate + interval on, not a millisecond before', async () => {
        const key = await rotating();
        const dueAt = T0 + 7 * DAY;
        assert.deepEqual(await dueIds(dueAt - 1), []);
        assert.deepEqual(await store.listKeysDueForRotation(dueAt, 100), [key], 'the whole record, as getKey gives it');
        assert.deepEqual(await dueIds(dueAt + 365 * DAY), [key.keyId]);
      });

      void it('lists only Enabled keys with automatic rotation on and an interval', async () => {
        const due = T0 + 30 * DAY;
        const enabled = await rotating();
        await rotating({ keyState: KeyState.Disabled });
        await rotating({ keyState: KeyState.PendingDeletion, deleteDate: T0 + DAY });
        await rotating({ keyState: KeyState.PendingImport });
        await rotating({ automaticRotation: false });
        await rotating({ rotationIntervalSeconds: null });
        await createdKey(); // the fixture default: no rotation policy at all
        assert.deepEqual(await dueIds(due), [enabled.keyId]);
      });

      void it('follows the key through its states: suspended while Disabled, due again once Enabled', async () => {
        const key = await rotating({ revision: 1 });
        const due = T0 + 8 * DAY;
        const disabled = { ...key, keyState: KeyState.Disabled, revision: 2 };
        await store.updateKey(disabled, 1);
        assert.deepEqual(await dueIds(due), []);
        await store.updateKey({ ...disabled, keyState: KeyState.Enabled, revision: 3 }, 2);
        assert.deepEqual(await dueIds(due), [key.keyId]);
      });

      void it('a rotation stored with addKeyVersion moves the due date on', async () => {
        const key = await rotating({ revision: 1 });
        const now = T0 + 7 * DAY;
        const next = rotated(key, now);
        await store.addKeyVersion(next.key, next.version, 1);
        assert.deepEqual(await dueIds(now), []);
        assert.deepEqual(await dueIds(now + 7 * DAY - 1), []);
        assert.deepEqual(await dueIds(now + 7 * DAY), [key.keyId]);
      });

      void it('orders by due date, oldest first, ties broken by key id, whatever the creation order', async () => {
        // Due dates: T0+9d, T0+8d (two keys), T0+8.5d: the key rotated last, on a shorter
        // interval, falls due before the one rotated earlier.
        const late = await rotating({ lastRotationDate: T0 + 2 * DAY, creationDate: T0 });
        const tieA = await rotating({ lastRotationDate: T0 + DAY, creationDate: T0 + 1 });
        const tieB = await rotating({ lastRotationDate: T0 + DAY, creationDate: T0 + 2 });
        const shortInterval = await rotating({ lastRotationDate: T0 + 4.5 * DAY, rotationIntervalSeconds: 4 * 24 * 3600 });
        const ties = [tieA.keyId, tieB.keyId].sort();
        assert.deepEqual(await dueIds(T0 + 30 * DAY), [...ties, shortInterval.keyId, late.keyId]);
      });

      void it('returns at most limit keys, the oldest due', async () => {
        const keys: Key[] = [];
        for (let i = 0; i < 5; i++) keys.push(await rotating({ lastRotationDate: T0 + (4 - i) * MINUTE }));
        const oldestFirst = [...keys].reverse().map((key) => key.keyId);
        assert.deepEqual(await dueIds(T0 + 30 * DAY, 2), oldestFirst.slice(0, 2));
        assert.deepEqual(await dueIds(T0 + 30 * DAY, 5), oldestFirst);
        assert.deepEqual(await dueIds(T0 + 30 * DAY, 50), oldestFirst);
      });

      void it('refuses a limit below 1', async () => {
        await assertPrecondition(() => store.listKeysDueForRotation(T0, 0));
        await assertPrecondition(() => store.listKeysDueForRotation(T0, 1.5));
      });
    });

    void describe('listKeysDueForDeletion', () => {
      async function pending(deleteDate: number, overrides: Partial<Key> = {}): Promise<Key> {
        const { key } = await createdKey({ keyState: KeyState.PendingDeletion, deleteDate, ...overrides });
        return key;
      }

      async function dueIds(nowMs: number, limit = 100): Promise<string[]> {
        return (await store.listKeysDueForDeletion(nowMs, limit)).map((key) => key.keyId);
      }

      void it('lists a PendingDeletion key from its deleteDate on, not a millisecond before', async () => {
        const key = await pending(T0 + MINUTE);
        assert.deepEqual(await dueIds(T0 + MINUTE - 1), []);
        assert.deepEqual(await store.listKeysDueForDeletion(T0 + MINUTE, 100), [key], 'the whole record, as getKey gives it');
        assert.deepEqual(await dueIds(T0 + 1000 * MINUTE), [key.keyId]);
      });

      void it('lists only PendingDeletion keys', async () => {
        const due = await pending(T0);
        // Other states with a stale deleteDate left behind: not due (a cancelled deletion clears it).
        for (const keyState of [KeyState.Enabled, KeyState.Disabled, KeyState.PendingImport])
          await createdKey({ keyState, deleteDate: T0 });
        await createdKey({ keyState: KeyState.Enabled });
        assert.deepEqual(await dueIds(T0 + MINUTE), [due.keyId]);
      });

      void it('a cancelled deletion is no longer due', async () => {
        const key = await pending(T0, { revision: 1 });
        await store.updateKey({ ...key, keyState: KeyState.Enabled, deleteDate: null, revision: 2 }, 1);
        assert.deepEqual(await dueIds(T0 + MINUTE), []);
      });

      void it('orders by deleteDate, oldest first, ties broken by key id, and returns at most limit keys', async () => {
        const last = await pending(T0 + 2 * MINUTE, { creationDate: T0 - 3 });
        const tieA = await pending(T0 + MINUTE, { creationDate: T0 - 2 });
        const tieB = await pending(T0 + MINUTE, { creationDate: T0 - 1 });
        const first = await pending(T0, { creationDate: T0 });
        const expected = [first.keyId, ...[tieA.keyId, tieB.keyId].sort(), last.keyId];
        assert.deepEqual(await dueIds(T0 + 10 * MINUTE), expected);
        assert.deepEqual(await dueIds(T0 + 10 * MINUTE, 3), expected.slice(0, 3));
        assert.deepEqual(await dueIds(T0 + MINUTE), expected.slice(0, 3));
      });

      void it('refuses a limit below 1', async () => {
        await assertPrecondition(() => store.listKeysDueForDeletion(T0, 0));
        await assertPrecondition(() => store.listKeysDueForDeletion(T0, -1));
      });
    });

    void describe('listKeysDueForMaterialExpiry', () => {
      async function expiring(materialExpireTime: number, overrides: Partial<Key> = {}): Promise<Key> {
        const { key } = await createdKey({ origin: Origin.External, materialExpireTime, ...overrides });
        return key;
      }

      async function dueIds(nowMs: number, limit = 100): Promise<string[]> {
        return (await store.listKeysDueForMaterialExpiry(nowMs, limit)).map((key) => key.keyId);
      }

      void it('lists a key from its materialExpireTime on, not a millisecond before, in any state', async () => {
        const key = await expiring(T0 + MINUTE);
        const pendingDeletion = await expiring(T0 + MINUTE, { keyState: KeyState.PendingDeletion, deleteDate: T0 + 9 * MINUTE });
        await createdKey({ origin: Origin.External, materialExpireTime: null });
        assert.deepEqual(await dueIds(T0 + MINUTE - 1), []);
        assert.deepEqual(await dueIds(T0 + MINUTE), [key.keyId, pendingDeletion.keyId].sort());
        const listed = await store.listKeysDueForMaterialExpiry(T0 + MINUTE, 100);
        assert.deepEqual(
          listed.find((k) => k.keyId === key.keyId),
          key,
          'the whole record, as getKey gives it',
        );
      });

      void it('orders by materialExpireTime, oldest first, ties broken by key id, and returns at most limit keys', async () => {
        const last = await expiring(T0 + 2 * MINUTE);
        const tieA = await expiring(T0 + MINUTE);
        const tieB = await expiring(T0 + MINUTE);
        const first = await expiring(T0);
        const expected = [first.keyId, ...[tieA.keyId, tieB.keyId].sort(), last.keyId];
        assert.deepEqual(await dueIds(T0 + 10 * MINUTE), expected);
        assert.deepEqual(await dueIds(T0 + 10 * MINUTE, 2), expected.slice(0, 2));
      });

      void it('a key whose expiry was cleared is no longer due', async () => {
        const key = await expiring(T0);
        await store.updateKey({ ...key, materialExpireTime: null, revision: key.revision + 1 }, key.revision);
        assert.deepEqual(await dueIds(T0 + MINUTE), []);
      });

      void it('refuses a limit below 1', async () => {
        await assertPrecondition(() => store.listKeysDueForMaterialExpiry(T0, 0));
      });
    });

    void describe('replaceKeyMaterial', () => {
      async function externalKey(): Promise<{ key: Key; version: KeyVersion }> {
        const made = makeKeyWithVersion({ origin: Origin.External, keyState: KeyState.PendingImport });
        const version = { ...made.version, material: null };
        await store.createKey(made.key, version);
        return { key: made.key, version };
      }

      void it('stores a version without material, and gives it back with material null', async () => {
        const { version } = await externalKey();
        assert.deepEqual(await store.getKeyVersion(version.keyVersionId), version);
      });

      void it('stores the key and the version material together, keeping the creation date and the order', async () => {
        const { key, version } = await externalKey();
        const material = { kind: ProtectionKind.Software, sealed: Buffer.from('sealed-bytes') };
        const commitment = Buffer.alloc(32, 7);
        const next = { ...key, keyState: KeyState.Enabled, materialExpireTime: T0 + MINUTE, revision: key.revision + 1 };
        await store.replaceKeyMaterial(next, { ...version, creationDate: T0 + 5, material, materialCommitment: commitment }, key.revision);
        assert.deepEqual(await store.getKey(key.keyId), next);
        assert.deepEqual(await store.getKeyVersion(version.keyVersionId), { ...version, material, materialCommitment: commitment });
        const listed = await store.listKeyVersions(key.keyId, FIRST_PAGE_OF_100);
        assert.deepEqual(listed.items, [{ ...version, material, materialCommitment: commitment }]);

        // And back to no material, the commitment kept.
        const emptied = { ...next, keyState: KeyState.PendingImport, materialExpireTime: null, revision: next.revision + 1 };
        await store.replaceKeyMaterial(emptied, { ...version, material: null, materialCommitment: commitment }, next.revision);
        assert.deepEqual(await store.getKeyVersion(version.keyVersionId), { ...version, material: null, materialCommitment: commitment });
        assert.deepEqual(await store.getKey(key.keyId), emptied);
      });

      void it('changes nothing on a stale revision or a missing key', async () => {
        const { key, version } = await externalKey();
        const material = { kind: ProtectionKind.Software, sealed: Buffer.from('x') };
        await assertConflict(
          store.replaceKeyMaterial(
            { ...key, keyState: KeyState.Enabled, revision: key.revision + 2 },
            { ...version, material },
            key.revision + 1,
          ),
          'stale-revision',
        );
        assert.deepEqual(await store.getKeyVersion(version.keyVersionId), version);
        assert.deepEqual(await store.getKey(key.keyId), key);
        const ghost = makeKeyWithVersion();
        await assertConflict(store.replaceKeyMaterial({ ...ghost.key, revision: 2 }, ghost.version, 1), 'missing');
      });

      void it('refuses a version of another key, an unknown version, and a revision that does not move by one, changing nothing', async () => {
        const { key, version } = await externalKey();
        const other = await createdKey();
        const next = { ...key, revision: key.revision + 1 };
        await assertPrecondition(() => store.replaceKeyMaterial(next, { ...other.version, material: null }, key.revision));
        await assertPrecondition(() => store.replaceKeyMaterial(next, makeVersion(key.keyId), key.revision));
        await assertPrecondition(() => store.replaceKeyMaterial({ ...key, revision: key.revision + 2 }, version, key.revision));
        assert.deepEqual(await store.getKey(key.keyId), key);
        assert.deepEqual(await store.getKeyVersion(other.version.keyVersionId), other.version);
      });
    });

    void describe('aliases', () => {
      void it('createAlias then getAlias returns the alias', async () => {
        const { key } = await createdKey();
        const alias = makeAlias(key.keyId, { aliasName: 'alias/payments-prod', creationDate: T0 + 5 });
        await store.createAlias(alias);
        assert.deepEqual(await store.getAlias('alias/payments-prod'), alias);
      });

      void it('getAlias of an unknown name resolves undefined', async () => {
        assert.equal(await store.getAlias('alias/unknown'), undefined);
      });

      void it('createAlias of an existing name fails with alias-exists and keeps the original', async () => {
        const first = await createdKey();
        const second = await createdKey();
        const alias = makeAlias(first.key.keyId);
        await store.createAlias(alias);
        await assertConflict(store.createAlias({ ...alias, keyId: second.key.keyId }), 'alias-exists');
        assert.deepEqual(await store.getAlias(alias.aliasName), alias);
      });

      void it('createAlias for a key that does not exist fails with missing', async () => {
        const alias = makeAlias('00000000-0000-0000-0000-000000000000');
        await assertConflict(store.createAlias(alias), 'missing');
        assert.equal(await store.getAlias(alias.aliasName), undefined);
      });

      void it('updateAlias points the alias at another key and keeps its creation date', async () => {
        const first = await createdKey();
        const second = await createdKey();
        const alias = makeAlias(first.key.keyId);
        await store.createAlias(alias);
        await store.updateAlias(alias.aliasName, second.key.keyId);
        assert.deepEqual(await store.getAlias(alias.aliasName), { ...alias, keyId: second.key.keyId });
      });

      void it('updateAlias of an alias that does not exist fails with alias-missing', async () => {
        const { key } = await createdKey();
        await assertConflict(store.updateAlias('alias/unknown', key.keyId), 'alias-missing');
        assert.equal(await store.getAlias('alias/unknown'), undefined);
      });

      void it('updateAlias to a key that does not exist fails with missing and keeps the alias', async () => {
        const { key } = await createdKey();
        const alias = makeAlias(key.keyId);
        await store.createAlias(alias);
        await assertConflict(store.updateAlias(alias.aliasName, '00000000-0000-0000-0000-000000000000'), 'missing');
        assert.deepEqual(await store.getAlias(alias.aliasName), alias);
      });

      void it('deleteAlias removes the alias but not its key', async () => {
        const { key } = await createdKey();
        const alias = makeAlias(key.keyId);
        await store.createAlias(alias);
        await store.deleteAlias(alias.aliasName);
        assert.equal(await store.getAlias(alias.aliasName), undefined);
        assert.deepEqual(await store.getKey(key.keyId), key);
      });

      void it('deleteAlias of an alias that does not exist fails with alias-missing', async () => {
        await assertConflict(store.deleteAlias('alias/unknown'), 'alias-missing');
      });

      void it('listAliases lists all aliases oldest first, ties broken by name, with paging', async () => {
        const first = await createdKey();
        const second = await createdKey();
        const aliases: Alias[] = [
          makeAlias(first.key.keyId, { aliasName: 'alias/c', creationDate: T0 }),
          makeAlias(second.key.keyId, { aliasName: 'alias/a', creationDate: T0 + MINUTE }),
          makeAlias(first.key.keyId, { aliasName: 'alias/b', creationDate: T0 }),
          makeAlias(second.key.keyId, { aliasName: 'alias/d', creationDate: T0 - MINUTE }),
        ];
        for (const alias of aliases) await store.createAlias(alias);
        const [c, a, b, d] = aliases;
        const expected = [d, b, c, a];
        assert.deepEqual(await store.listAliases(FIRST_PAGE_OF_100), { items: expected, totalCount: 4 });
        assert.deepEqual(await store.listAliases({ pageNumber: 2, pageSize: 3 }), { items: [a], totalCount: 4 });
        assert.deepEqual(await store.listAliases({ pageNumber: 3, pageSize: 3 }), { items: [], totalCount: 4 });
      });

      void it('listAliases of one key lists only its aliases, with paging', async () => {
        const first = await createdKey();
        const second = await createdKey();
        const ofFirst = [0, 1, 2].map((i) => makeAlias(first.key.keyId, { aliasName: `alias/first-${i}`, creationDate: T0 + i }));
        await store.createAlias(makeAlias(second.key.keyId, { aliasName: 'alias/second' }));
        for (const alias of ofFirst) await store.createAlias(alias);
        assert.deepEqual(await store.listAliases(FIRST_PAGE_OF_100, first.key.keyId), { items: ofFirst, totalCount: 3 });
        assert.deepEqual(await store.listAliases({ pageNumber: 2, pageSize: 2 }, first.key.keyId), {
          items: ofFirst.slice(2),
          totalCount: 3,
        });
        assert.deepEqual(await store.listAliases(FIRST_PAGE_OF_100, 'unknown'), { items: [], totalCount: 0 });
      });
    });

    void describe('access keys', () => {
      void it('putAccessKey then getAccessKey returns the record, and countAccessKeys counts it', async () => {
        assert.equal(await store.countAccessKeys(), 0);
        const record = makeAccessKey({ enabled: false, principal: 'ci-pipeline', creationDate: T0 + 9 });
        await store.putAccessKey(record);
        await store.putAccessKey(makeAccessKey());
        const stored = await store.getAccessKey(record.accessKeyId);
        assert.deepEqual(stored, record);
        assert.ok(Buffer.isBuffer(stored?.sealedSecret), 'the sealed secret comes back as a Buffer');
        assert.equal(await store.countAccessKeys(), 2);
        assert.equal(await store.getAccessKey('LTAI-unknown'), undefined);
      });

      void it('putAccessKey of an existing id replaces the record', async () => {
        const record = makeAccessKey();
        await store.putAccessKey(record);
        const replacement = makeAccessKey({ accessKeyId: record.accessKeyId, enabled: false, principal: 'rotated', creationDate: T0 + 1 });
        await store.putAccessKey(replacement);
        assert.deepEqual(await store.getAccessKey(record.accessKeyId), replacement);
        assert.equal(await store.countAccessKeys(), 1);
      });
    });

    void describe('metadata', () => {
      void it('putMetadata then getMetadata returns the bytes; unknown names resolve undefined', async () => {
        const value = Buffer.from([0, 1, 2, 254, 255]);
        await store.putMetadata('root-key-check', value);
        const stored = await store.getMetadata('root-key-check');
        assert.ok(Buffer.isBuffer(stored), 'metadata comes back as a Buffer');
        assert.deepEqual(stored, value);
        assert.equal(await store.getMetadata('unknown'), undefined);
      });

      void it('putMetadataIfAbsent keeps the first value and hands it to every later caller', async () => {
        const [first, second] = await Promise.all([
          store.putMetadataIfAbsent('digest-key', Buffer.from('first')),
          store.putMetadataIfAbsent('digest-key', Buffer.from('second')),
        ]);
        assert.equal(first.toString(), 'first');
        assert.equal(second.toString(), 'first');
        assert.equal((await store.getMetadata('digest-key'))?.toString(), 'first');
      });

      void it('putMetadata overwrites an existing value', async () => {
        await store.putMetadata('root-key-check', Buffer.from('first'));
        await store.putMetadata('root-key-check', Buffer.from('second, longer'));
        assert.equal((await store.getMetadata('root-key-check'))?.toString(), 'second, longer');
      });
    });

    void describe('applyBatch', () => {
      async function metadataText(name: string): Promise<string | undefined> {
        return (await store.getMetadata(name))?.toString();
      }

      async function versionIdsOf(keyId: string): Promise<string[]> {
        return (await store.listKeyVersions(keyId, FIRST_PAGE_OF_100)).items.map((version) => version.keyVersionId);
      }

      void it('applies its writes in order, each seeing the ones before it', async () => {
        const made = makeKeyWithVersion({ revision: 1 });
        const next = rotated(made.key, T0 + MINUTE);
        const retagged = { ...next.key, description: 'retagged', tags: [{ tagKey: 'team', tagValue: 'payments' }], revision: 3 };
        const alias = makeAlias(made.key.keyId);
        const accessKey = makeAccessKey();
        await store.applyBatch([
          { kind: 'create-key', key: made.key, firstVersion: made.version },
          { kind: 'add-key-version', key: next.key, version: next.version, expectedRevision: 1 },
          { kind: 'update-key', key: retagged, expectedRevision: 2 },
          { kind: 'require-key-revision', keyId: made.key.keyId, expectedRevision: 3 },
          { kind: 'create-alias', alias },
          { kind: 'put-access-key', record: accessKey },
          { kind: 'put-metadata', name: 'm', value: Buffer.from('value') },
        ]);
        assert.deepEqual(await store.getKey(made.key.keyId), retagged);
        assert.deepEqual((await store.listKeyVersions(made.key.keyId, FIRST_PAGE_OF_100)).items, [made.version, next.version]);
        assert.deepEqual(await store.getAlias(alias.aliasName), alias);
        assert.deepEqual(await store.getAccessKey(accessKey.accessKeyId), accessKey);
        assert.equal(await metadataText('m'), 'value');
      });

      void it('moves an alias away from a key, then deletes the key, keeping the alias; replaces material and deletes an alias', async () => {
        const doomed = await createdKey({ revision: 1 });
        const external = makeKeyWithVersion({ origin: Origin.External, keyState: KeyState.PendingImport, revision: 1 });
        const pending = { ...external.version, material: null };
        await store.createKey(external.key, pending);
        const moved = makeAlias(doomed.key.keyId);
        const dropped = makeAlias(external.key.keyId);
        await store.createAlias(moved);
        await store.createAlias(dropped);
        const imported = { ...external.key, keyState: KeyState.Enabled, revision: 2 };
        const material = { kind: ProtectionKind.Software, sealed: Buffer.from('imported') };

        await store.applyBatch([
          { kind: 'update-alias', aliasName: moved.aliasName, keyId: external.key.keyId },
          { kind: 'delete-key', keyId: doomed.key.keyId, expectedRevision: 1 },
          { kind: 'replace-key-material', key: imported, version: { ...pending, material }, expectedRevision: 1 },
          { kind: 'delete-alias', aliasName: dropped.aliasName },
        ]);

        assert.equal(await store.getKey(doomed.key.keyId), undefined);
        assert.equal(await store.getKeyVersion(doomed.version.keyVersionId), undefined);
        assert.deepEqual(await store.getAlias(moved.aliasName), { ...moved, keyId: external.key.keyId });
        assert.equal(await store.getAlias(dropped.aliasName), undefined);
        assert.deepEqual(await store.getKey(external.key.keyId), imported);
        assert.deepEqual(await store.getKeyVersion(pending.keyVersionId), { ...pending, material });
      });

      void it('with a stale revision in the third write leaves the first two unapplied', async () => {
        const first = await createdKey({ revision: 1 });
        const second = await createdKey({ revision: 4 });
        const alias = makeAlias(first.key.keyId);
        await assertConflict(
          store.applyBatch([
            { kind: 'update-key', key: { ...first.key, description: 'changed', revision: 2 }, expectedRevision: 1 },
            { kind: 'create-alias', alias },
            { kind: 'update-key', key: { ...second.key, description: 'stale', revision: 4 }, expectedRevision: 3 },
          ]),
          'stale-revision',
        );
        assert.deepEqual(await store.getKey(first.key.keyId), first.key);
        assert.equal(await store.getAlias(alias.aliasName), undefined);
        assert.deepEqual(await store.getKey(second.key.keyId), second.key);
      });

      void it('that fails takes back a deletion before it: the key, its versions in their order, and its aliases', async () => {
        const first = await createdKey({ revision: 1 });
        let key = first.key;
        const versionIds = [first.version.keyVersionId];
        for (const creationDate of [T0 + 2 * MINUTE, T0 + MINUTE]) {
          const next = rotated(key, creationDate);
          await store.addKeyVersion(next.key, next.version, key.revision);
          key = next.key;
          versionIds.push(next.version.keyVersionId);
        }
        const alias = makeAlias(key.keyId);
        await store.createAlias(alias);
        const bystander = await createdKey();
        const taken = makeAlias(bystander.key.keyId);
        await store.createAlias(taken);
        // The same key id created again after the deletion, then a conflict.
        const reborn = makeKeyWithVersion({ keyId: key.keyId, description: 'reborn' });

        await assertConflict(
          store.applyBatch([
            { kind: 'delete-key', keyId: key.keyId, expectedRevision: key.revision },
            { kind: 'create-key', key: reborn.key, firstVersion: reborn.version },
            { kind: 'create-alias', alias: { ...taken, keyId: key.keyId } },
          ]),
          'alias-exists',
        );

        assert.deepEqual(await store.getKey(key.keyId), key);
        assert.deepEqual(await versionIdsOf(key.keyId), versionIds);
        assert.equal(await store.getKeyVersion(reborn.version.keyVersionId), undefined);
        assert.deepEqual(await store.getAlias(alias.aliasName), alias);
        assert.deepEqual(await store.getAlias(taken.aliasName), taken);
        // And the versions keep their order when more are added afterwards.
        const after = rotated(key, T0);
        await store.addKeyVersion(after.key, after.version, key.revision);
        assert.deepEqual(await versionIdsOf(key.keyId), [...versionIds, after.version.keyVersionId]);
      });

      void it('fails with the reason of the write that conflicts, whichever it is, and applies nothing', async () => {
        const { key, version } = await createdKey({ revision: 2 });
        const alias = makeAlias(key.keyId);
        await store.createAlias(alias);
        const unknownKeyId = '00000000-0000-0000-0000-000000000000';
        const atStaleRevision = { ...key, revision: 2 }; // moves 1 -> 2, but the key is at 2
        const staleRotation = rotated({ ...key, revision: 1 }, T0 + MINUTE);
        const clash = makeVersion(key.keyId, { keyVersionId: version.keyVersionId });
        const impostor = makeKeyWithVersion({ keyId: key.keyId });
        const newKeyWithTakenVersion = makeKeyWithVersion({ primaryKeyVersionId: version.keyVersionId });
        const cases: Array<{ label: string; write: StoreWrite; reason: StoreConflictReason }> = [
          {
            label: 'create-key, key id taken',
            write: { kind: 'create-key', key: impostor.key, firstVersion: impostor.version },
            reason: 'exists',
          },
          {
            label: 'create-key, version id taken',
            write: { kind: 'create-key', key: newKeyWithTakenVersion.key, firstVersion: newKeyWithTakenVersion.version },
            reason: 'exists',
          },
          {
            label: 'update-key, stale',
            write: { kind: 'update-key', key: atStaleRevision, expectedRevision: 1 },
            reason: 'stale-revision',
          },
          {
            label: 'update-key, unknown',
            write: { kind: 'update-key', key: makeKey({ revision: 2 }), expectedRevision: 1 },
            reason: 'missing',
          },
          {
            label: 'add-key-version, stale',
            write: { kind: 'add-key-version', key: staleRotation.key, version: staleRotation.version, expectedRevision: 1 },
            reason: 'stale-revision',
          },
          {
            label: 'add-key-version, version id taken',
            write: {
              kind: 'add-key-version',
              key: { ...key, primaryKeyVersionId: clash.keyVersionId, revision: 3 },
              version: clash,
              expectedRevision: 2,
            },
            reason: 'exists',
          },
          {
            label: 'replace-key-material, stale',
            write: { kind: 'replace-key-material', key: atStaleRevision, version, expectedRevision: 1 },
            reason: 'stale-revision',
          },
          { label: 'delete-key, stale', write: { kind: 'delete-key', keyId: key.keyId, expectedRevision: 1 }, reason: 'stale-revision' },
          { label: 'delete-key, unknown', write: { kind: 'delete-key', keyId: unknownKeyId, expectedRevision: 1 }, reason: 'missing' },
          {
            label: 'require-key-revision, stale',
            write: { kind: 'require-key-revision', keyId: key.keyId, expectedRevision: 3 },
            reason: 'stale-revision',
          },
          {
            label: 'require-key-revision, unknown',
            write: { kind: 'require-key-revision', keyId: unknownKeyId, expectedRevision: 2 },
            reason: 'missing',
          },
          {
            label: 'create-alias, name taken',
            write: { kind: 'create-alias', alias: { ...alias, creationDate: T0 + 1 } },
            reason: 'alias-exists',
          },
          { label: 'create-alias, unknown key', write: { kind: 'create-alias', alias: makeAlias(unknownKeyId) }, reason: 'missing' },
          {
            label: 'update-alias, unknown alias',
            write: { kind: 'update-alias', aliasName: 'alias/unknown', keyId: key.keyId },
            reason: 'alias-missing',
          },
          {
            label: 'update-alias, unknown key',
            write: { kind: 'update-alias', aliasName: alias.aliasName, keyId: unknownKeyId },
            reason: 'missing',
          },
          { label: 'delete-alias, unknown alias', write: { kind: 'delete-alias', aliasName: 'alias/unknown' }, reason: 'alias-missing' },
        ];
        for (const { label, write, reason } of cases) {
          await assertConflict(
            store.applyBatch([{ kind: 'put-metadata', name: 'marker', value: Buffer.from(label) }, write]),
            reason,
            label,
          );
          assert.equal(await metadataText('marker'), undefined, `${label}: the write before it was taken back`);
        }
        assert.deepEqual(await store.getKey(key.keyId), key);
        assert.deepEqual(await store.getKeyVersion(version.keyVersionId), version);
        assert.deepEqual(await store.getAlias(alias.aliasName), alias);
      });

      void it('refuses a malformed write anywhere in it with a precondition error, before any write runs', async () => {
        const { key } = await createdKey({ revision: 1 });
        const skipsRevisions = { ...key, description: 'skipped', revision: 5 };
        await assertPrecondition(() =>
          store.applyBatch([
            { kind: 'update-key', key: { ...key, revision: 1 }, expectedRevision: 0 }, // would conflict: stale
            { kind: 'put-metadata', name: 'marker', value: Buffer.from('x') },
            { kind: 'update-key', key: skipsRevisions, expectedRevision: 1 },
          ]),
        );
        const notAWrite = { kind: 'frobnicate-key', keyId: key.keyId } as unknown as StoreWrite;
        await assertPrecondition(() => store.applyBatch([{ kind: 'put-metadata', name: 'marker', value: Buffer.from('x') }, notAWrite]));
        assert.deepEqual(await store.getKey(key.keyId), key);
        assert.equal(await metadataText('marker'), undefined);
      });

      void it('that is empty resolves and changes nothing', async () => {
        const { key } = await createdKey();
        await store.applyBatch([]);
        assert.deepEqual(await store.listKeys({}, FIRST_PAGE_OF_100), { items: [key], totalCount: 1 });
      });

      void it('is durable when it resolves: another handle on the same data sees it all, and nothing of a rejected one', async () => {
        const other = await openAgain();
        try {
          const made = makeKeyWithVersion({ revision: 1 });
          const alias = makeAlias(made.key.keyId);
          await store.applyBatch([
            { kind: 'create-key', key: made.key, firstVersion: made.version },
            { kind: 'create-alias', alias },
            { kind: 'put-metadata', name: 'm', value: Buffer.from('committed') },
          ]);
          assert.deepEqual(await other.store.getKey(made.key.keyId), made.key);
          assert.deepEqual(await other.store.getKeyVersion(made.version.keyVersionId), made.version);
          assert.deepEqual(await other.store.getAlias(alias.aliasName), alias);
          assert.equal((await other.store.getMetadata('m'))?.toString(), 'committed');

          const next = rotated(made.key, T0 + MINUTE);
          await assertConflict(
            store.applyBatch([
              { kind: 'add-key-version', key: next.key, version: next.version, expectedRevision: 1 },
              { kind: 'put-metadata', name: 'm', value: Buffer.from('rolled back') },
              { kind: 'create-alias', alias },
            ]),
            'alias-exists',
          );
          assert.deepEqual(await other.store.getKey(made.key.keyId), made.key);
          assert.equal(await other.store.getKeyVersion(next.version.keyVersionId), undefined);
          assert.equal((await other.store.getMetadata('m'))?.toString(), 'committed');
        } finally {
          await other.close();
        }
      });

      void it('lets exactly one of several concurrent batches conditioned on the same revision commit, whole', async () => {
        const { key } = await createdKey({ revision: 1 });
        const contenders = [0, 1, 2, 3].map((i) => ({ description: `writer ${i}`, alias: makeAlias(key.keyId) }));
        const outcomes = await Promise.allSettled(
          contenders.map(({ description, alias }) =>
            store.applyBatch([
              { kind: 'update-key', key: { ...key, description, revision: 2 }, expectedRevision: 1 },
              { kind: 'create-alias', alias },
              { kind: 'put-metadata', name: 'winner', value: Buffer.from(description) },
            ]),
          ),
        );
        const won = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [contenders[index]] : []));
        assert.equal(won.length, 1, 'exactly one batch commits');
        const winner = won[0];
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            assert.ok(outcome.reason instanceof StoreConflictError, `a loser gets a conflict, got ${String(outcome.reason)}`);
            assert.equal(outcome.reason.reason, 'stale-revision');
          }
        }
        assert.equal((await store.getKey(key.keyId))?.description, winner?.description);
        assert.equal(await metadataText('winner'), winner?.description);
        const aliases = await store.listAliases(FIRST_PAGE_OF_100, key.keyId);
        assert.deepEqual(
          aliases.items.map(({ aliasName }) => aliasName),
          [winner?.alias.aliasName],
        );
      });

      void it('interleaves with single writes issued in the same turn, in the order they were issued', async () => {
        const { key } = await createdKey({ revision: 1 });
        const bystander = makeKeyWithVersion();
        const alias = makeAlias(key.keyId);
        // Issued without awaiting in between: on SQLite all five share one group commit.
        const outcomes = await Promise.allSettled([
          store.updateKey({ ...key, description: 'single write', revision: 2 }, 1),
          store.applyBatch([
            { kind: 'update-key', key: { ...key, description: 'batch', revision: 3 }, expectedRevision: 2 },
            { kind: 'create-alias', alias },
          ]),
          store.applyBatch([
            { kind: 'put-metadata', name: 'lost', value: Buffer.from('x') },
            { kind: 'update-key', key: { ...key, description: 'read too early', revision: 2 }, expectedRevision: 1 },
          ]),
          store.createKey(bystander.key, bystander.version),
          store.deleteAlias(alias.aliasName),
        ]);
        assert.deepEqual(
          outcomes.map((outcome) => outcome.status),
          ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
        );
        const refused = outcomes[2];
        assert.ok(refused?.status === 'rejected' && refused.reason instanceof StoreConflictError, 'the stale batch gets a conflict');
        assert.equal(refused.reason.reason, 'stale-revision');
        assert.deepEqual(await store.getKey(key.keyId), { ...key, description: 'batch', revision: 3 });
        assert.equal(await store.getAlias(alias.aliasName), undefined, 'the single delete saw the batch’s alias');
        assert.equal(await metadataText('lost'), undefined);
        assert.deepEqual(await store.getKey(bystander.key.keyId), bystander.key);
      });

      void it('require-key-revision lets a batch depend on a key it does not change', async () => {
        const { key } = await createdKey({ revision: 1 });
        const first = makeAlias(key.keyId);
        await store.applyBatch([
          { kind: 'require-key-revision', keyId: key.keyId, expectedRevision: 1 },
          { kind: 'create-alias', alias: first },
        ]);
        assert.deepEqual(await store.getKey(key.keyId), key, 'the condition wrote nothing');
        await store.updateKey({ ...key, keyState: KeyState.PendingDeletion, deleteDate: T0, revision: 2 }, 1);
        const second = makeAlias(key.keyId);
        await assertConflict(
          store.applyBatch([
            { kind: 'require-key-revision', keyId: key.keyId, expectedRevision: 1 },
            { kind: 'create-alias', alias: second },
          ]),
          'stale-revision',
        );
        assert.deepEqual(await store.getAlias(first.aliasName), first);
        assert.equal(await store.getAlias(second.aliasName), undefined);
      });

      void it('keeps its own copies: records in a batch can be changed once it resolves', async () => {
        const made = makeKeyWithVersion({ tags: [{ tagKey: 'a', tagValue: 'b' }] });
        const expectedKey = structuredClone(made.key);
        const expectedSealed = Buffer.from(sealedOf(made.version));
        const value = Buffer.from('value');
        await store.applyBatch([
          { kind: 'create-key', key: made.key, firstVersion: made.version },
          { kind: 'put-metadata', name: 'm', value },
        ]);
        (made.key.tags as Tag[]).push({ tagKey: 'x', tagValue: 'y' });
        sealedOf(made.version).fill(0);
        value.fill(0);
        assert.deepEqual(await store.getKey(made.key.keyId), expectedKey);
        assert.deepEqual(sealedOf(await store.getKeyVersion(made.version.keyVersionId)), expectedSealed);
        assert.equal(await metadataText('m'), 'value');
      });
    });

    void describe('isolation', () => {
      void it('records handed out cannot be used to change the store', async () => {
        const { key, version } = await createdKey({ tags: [{ tagKey: 'a', tagValue: 'b' }] });
        const alias = makeAlias(key.keyId);
        await store.createAlias(alias);
        const accessKey = makeAccessKey();
        await store.putAccessKey(accessKey);
        await store.putMetadata('m', Buffer.from('value'));
        // Copies of what was stored, taken before any mutation: the originals might share buffers
        // with what the store hands out, and would then change along with it.
        const expectedVersion = { ...version, material: { kind: ProtectionKind.Software, sealed: Buffer.from(sealedOf(version)) } };
        const expectedAccessKey = { ...accessKey, sealedSecret: Buffer.from(accessKey.sealedSecret) };

        const gotKey = (await store.getKey(key.keyId)) as Mutable<Key>;
        tryToMutate(() => (gotKey.description = 'mutated'));
        tryToMutate(() => (gotKey.tags as Tag[]).push({ tagKey: 'x', tagValue: 'y' }));
        tryToMutate(() => ((gotKey.tags[0] as Mutable<Tag>).tagValue = 'mutated'));
        const gotVersion = await store.getKeyVersion(version.keyVersionId);
        tryToMutate(() => gotVersion?.material?.sealed.fill(0));
        const listed = await store.listKeyVersions(key.keyId, FIRST_PAGE_OF_100);
        tryToMutate(() => listed.items[0]?.material?.sealed.fill(0));
        const listedKeys = await store.listKeys({}, FIRST_PAGE_OF_100);
        tryToMutate(() => ((listedKeys.items[0] as Mutable<Key>).keyState = KeyState.Disabled));
        const gotAlias = (await store.getAlias(alias.aliasName)) as Mutable<Alias>;
        tryToMutate(() => (gotAlias.keyId = 'mutated'));
        (await store.getAccessKey(accessKey.accessKeyId))?.sealedSecret.fill(0);
        (await store.getMetadata('m'))?.fill(0);

        assert.deepEqual(await store.getKey(key.keyId), key);
        assert.deepEqual(await store.getKeyVersion(version.keyVersionId), expectedVersion);
        assert.deepEqual(await store.getAlias(alias.aliasName), alias);
        assert.deepEqual(await store.getAccessKey(accessKey.accessKeyId), expectedAccessKey);
        assert.equal((await store.getMetadata('m'))?.toString(), 'value');
      });

      void it('records passed in can be changed afterwards without changing the store', async () => {
        const made = makeKeyWithVersion({ tags: [{ tagKey: 'a', tagValue: 'b' }] });
        const expectedKey = structuredClone(made.key);
        const expectedSealed = Buffer.from(sealedOf(made.version));
        await store.createKey(made.key, made.version);
        (made.key.tags as Tag[]).push({ tagKey: 'x', tagValue: 'y' });
        (made.key as Mutable<Key>).description = 'mutated';
        sealedOf(made.version).fill(0);

        const accessKey = makeAccessKey();
        const expectedSecret = Buffer.from(accessKey.sealedSecret);
        await store.putAccessKey(accessKey);
        accessKey.sealedSecret.fill(0);

        const value = Buffer.from('value');
        await store.putMetadata('m', value);
        value.fill(0);

        assert.deepEqual(await store.getKey(made.key.keyId), expectedKey);
        assert.deepEqual((await store.getKeyVersion(made.version.keyVersionId))?.material?.sealed, expectedSealed);
        assert.deepEqual((await store.getAccessKey(accessKey.accessKeyId))?.sealedSecret, expectedSecret);
        assert.equal((await store.getMetadata('m'))?.toString(), 'value');
      });
    });
  });
}
