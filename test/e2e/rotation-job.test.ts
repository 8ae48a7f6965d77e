// Automatic rotation on a real running server: the compiled CLI started as a child process with
// `--min-rotation-interval 2s --job-interval 1s`, as outside checks start it. A key created with
// RotationInterval=2s must get a new primary version by itself, old ciphertexts must still
// decrypt, new ones use the new version, and keys whose rotation is suspended (Disabled,
// PendingDeletion) or off must not rotate.
//
// (ScheduleKeyDeletion has a 7-day minimum window, so deletion by the job is not observable end to
// end here; the job's own tests cover it with a fake clock.)
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import type { Credentials } from '../support/acs3-signer.js';
import { ensureBuilt, killAllArcas, randomCredentials, spawnArca, type ArcaProcess } from '../support/arca-process.js';
import { v3Caller } from '../support/clients.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';
import { expectV3Error, wireDateMs } from './support-sdk-assertions.js';

/** How long a rotation that is due may take to show: the brief's bound for a 2 s interval and a 1 s job. */
const ROTATION_DEADLINE_MS = 10_000;

const credentials: Credentials = randomCredentials('rotation');

/** Polls `probe` every 200 ms until it returns a value, for at most `timeoutMs`. */
async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}

before(() => {
  ensureBuilt();
});

after(() => {
  killAllArcas();
  removeDataDirs();
});

describe('automatic rotation on a running server (--min-rotation-interval 2s --job-interval 1s)', () => {
  let arca: ArcaProcess;
  let call: (action: string, query: Record<string, unknown>) => Promise<any>;

  const describeKey = async (keyId: string): Promise<any> => (await call('DescribeKey', { KeyId: keyId })).KeyMetadata;
  const versionsOf = async (keyId: string): Promise<string[]> =>
    (await call('ListKeyVersions', { KeyId: keyId, PageSize: 100 })).KeyVersions.KeyVersion.map((version: any) => version.KeyVersionId);

  // Created together at the start, so that the waits below overlap.
  let aes: any;
  let sm4: any;
  let disabled: any;
  let pending: any;
  let plain: any;
  /** The versions of the suspended keys once they were suspended. */
  const suspendedVersions = new Map<string, string[]>();
  const sealed: Array<{ keyId: string; versionId: string; blob: string; plaintext: string; context?: Record<string, string> }> = [];

  before(async () => {
    arca = await spawnArca({
      dataDir: newDataDir('arca-rotation-'),
      credentials,
      args: ['--min-rotation-interval', '2s', '--job-interval', '1s'],
    });
    call = v3Caller(arca, { credentials });

    aes = (await call('CreateKey', { EnableAutomaticRotation: true, RotationInterval: '2s' })).KeyMetadata;
    sm4 = (await call('CreateKey', { KeySpec: 'Aliyun_SM4', EnableAutomaticRotation: 'true', RotationInterval: '2s' })).KeyMetadata;
    // Read back once suspended, so that a rotation before the move (a slow machine) is not counted.
    const toDisable = (await call('CreateKey', { EnableAutomaticRotation: true, RotationInterval: '2s' })).KeyMetadata;
    await call('DisableKey', { KeyId: toDisable.KeyId });
    disabled = await describeKey(toDisable.KeyId);
    suspendedVersions.set(disabled.KeyId, await versionsOf(disabled.KeyId));
    const toDelete = (await call('CreateKey', { EnableAutomaticRotation: true, RotationInterval: '2s' })).KeyMetadata;
    await call('ScheduleKeyDeletion', { KeyId: toDelete.KeyId, PendingWindowInDays: 7 });
    pending = await describeKey(toDelete.KeyId);
    suspendedVersions.set(pending.KeyId, await versionsOf(pending.KeyId));
    plain = (await call('CreateKey', {})).KeyMetadata;

    for (const [key, context] of [
      [aes, undefined],
      [sm4, { purpose: 'rotation-job', row: '1' }],
      [plain, undefined],
    ] as const) {
      const plaintext = `sealed before rotation under ${key.KeyId}`;
      const encrypted = await call('Encrypt', {
        KeyId: key.KeyId,
        Plaintext: plaintext,
        ...(context ? { EncryptionContext: context } : {}),
      });
      assert.equal(encrypted.KeyVersionId, key.PrimaryKeyVersion);
      sealed.push({
        keyId: key.KeyId,
        versionId: key.PrimaryKeyVersion,
        blob: encrypted.CiphertextBlob,
        plaintext,
        ...(context ? { context } : {}),
      });
    }
  });

  after(() => {
    arca?.kill();
  });

  it('reports the 2 s interval in DescribeKey: AutomaticRotation Enabled, RotationInterval "2s", NextRotationDate 2 s after LastRotationDate', () => {
    for (const key of [aes, sm4]) {
      assert.equal(key.AutomaticRotation, 'Enabled');
      assert.equal(key.RotationInterval, '2s');
      assert.equal(wireDateMs(key.NextRotationDate) - wireDateMs(key.LastRotationDate), 2_000);
    }
  });

  it('rotates a key with RotationInterval=2s by itself: a new PrimaryKeyVersion within 10 s, AES and SM4', async () => {
    for (const key of [aes, sm4]) {
      const rotated = await waitFor(`automatic rotation of ${key.KeySpec} key ${key.KeyId}`, ROTATION_DEADLINE_MS, async () => {
        const metadata = await describeKey(key.KeyId);
        return metadata.PrimaryKeyVersion !== key.PrimaryKeyVersion ? metadata : undefined;
      });
      assert.equal(rotated.KeyState, 'Enabled');
      assert.equal(rotated.AutomaticRotation, 'Enabled');
      assert.ok(
        wireDateMs(rotated.LastRotationDate) - wireDateMs(key.LastRotationDate) >= 2_000,
        'LastRotationDate moved on by an interval or more',
      );
      assert.equal(
        wireDateMs(rotated.NextRotationDate) - wireDateMs(rotated.LastRotationDate),
        2_000,
        'NextRotationDate = LastRotationDate + 2 s',
      );

      const versions = await versionsOf(key.KeyId);
      assert.ok(versions.length >= 2, `at least two versions, got ${versions.length}`);
      assert.equal(versions[0], key.PrimaryKeyVersion, 'the first version is still listed first');
      assert.ok(versions.includes(rotated.PrimaryKeyVersion), 'the new primary is listed');
      const described = await call('DescribeKeyVersion', { KeyId: key.KeyId, KeyVersionId: rotated.PrimaryKeyVersion });
      assert.equal(described.KeyVersion.KeyId, key.KeyId);
    }
  });

  it('old ciphertexts still decrypt after the rotation, and a new Encrypt uses the new primary', async () => {
    for (const record of sealed.filter((entry) => entry.keyId !== plain.KeyId)) {
      const decrypted = await call('Decrypt', {
        CiphertextBlob: record.blob,
        ...(record.context ? { EncryptionContext: record.context } : {}),
      });
      assert.equal(decrypted.Plaintext, record.plaintext);
      assert.equal(decrypted.KeyVersionId, record.versionId);

      const current = await describeKey(record.keyId);
      assert.notEqual(current.PrimaryKeyVersion, record.versionId);
      const fresh = await call('Encrypt', { KeyId: record.keyId, Plaintext: 'after rotation' });
      // The job may rotate again between the two calls: the version used is one that came after.
      const versions = await versionsOf(record.keyId);
      assert.notEqual(fresh.KeyVersionId, record.versionId, 'Encrypt no longer uses the old version');
      assert.ok(versions.indexOf(fresh.KeyVersionId) >= versions.indexOf(current.PrimaryKeyVersion), 'Encrypt uses the primary version');
      assert.equal((await call('Decrypt', { CiphertextBlob: fresh.CiphertextBlob })).Plaintext, 'after rotation');
    }
  });

  it('keeps rotating, once per interval: a third version follows', async () => {
    const versions = await waitFor(`a second automatic rotation of ${aes.KeyId}`, ROTATION_DEADLINE_MS, async () => {
      const listed = await versionsOf(aes.KeyId);
      return listed.length >= 3 ? listed : undefined;
    });
    const created = (await call('ListKeyVersions', { KeyId: aes.KeyId, PageSize: 100 })).KeyVersions.KeyVersion.map((version: any) =>
      wireDateMs(version.CreationDate),
    );
    // A 2 s interval with a 1 s job: never two rotations in the same second.
    for (let i = 1; i < created.length; i++) assert.ok(created[i] - created[i - 1] >= 2_000, `versions ${JSON.stringify(created)}`);
    const decrypted = await call('Decrypt', { CiphertextBlob: sealed[0]?.blob });
    assert.equal(decrypted.KeyVersionId, versions[0]);
  });

  it('does not rotate a Disabled key (Suspended), a PendingDeletion key (Suspended), or a key with rotation off', async () => {
    // By now at least two intervals have passed since these keys were created.
    for (const key of [disabled, pending]) {
      const metadata = await describeKey(key.KeyId);
      assert.equal(metadata.AutomaticRotation, 'Suspended');
      assert.equal(metadata.PrimaryKeyVersion, key.PrimaryKeyVersion);
      assert.equal(metadata.LastRotationDate, key.LastRotationDate);
      assert.deepEqual(await versionsOf(key.KeyId), suspendedVersions.get(key.KeyId));
    }
    const metadata = await describeKey(plain.KeyId);
    assert.equal(metadata.AutomaticRotation, 'Disabled');
    assert.equal(metadata.PrimaryKeyVersion, plain.PrimaryKeyVersion);
    assert.deepEqual(await versionsOf(plain.KeyId), [plain.PrimaryKeyVersion]);
  });

  it('rotates a suspended key once it is Enabled again (it is overdue)', async () => {
    await call('EnableKey', { KeyId: disabled.KeyId });
    const rotated = await waitFor(`rotation of the re-enabled key ${disabled.KeyId}`, ROTATION_DEADLINE_MS, async () => {
      const metadata = await describeKey(disabled.KeyId);
      return metadata.PrimaryKeyVersion !== disabled.PrimaryKeyVersion ? metadata : undefined;
    });
    assert.equal(rotated.AutomaticRotation, 'Enabled');
    assert.ok((await versionsOf(disabled.KeyId)).length >= 2);
  });

  it('rotates a key whose rotation UpdateRotationPolicy turned on, and stops when it is turned off', async () => {
    await call('UpdateRotationPolicy', { KeyId: plain.KeyId, EnableAutomaticRotation: true, RotationInterval: '2s' });
    const rotated = await waitFor(`rotation of ${plain.KeyId} after UpdateRotationPolicy`, ROTATION_DEADLINE_MS, async () => {
      const metadata = await describeKey(plain.KeyId);
      return metadata.PrimaryKeyVersion !== plain.PrimaryKeyVersion ? metadata : undefined;
    });
    const record = sealed.find((entry) => entry.keyId === plain.KeyId);
    assert.ok(record);
    assert.equal((await call('Decrypt', { CiphertextBlob: record.blob })).Plaintext, record.plaintext);

    await call('UpdateRotationPolicy', { KeyId: plain.KeyId, EnableAutomaticRotation: false });
    // Let a rotation that was already under way land, then nothing more may come.
    await sleep(1_500);
    const settled = await versionsOf(plain.KeyId);
    await sleep(3_500);
    assert.deepEqual(await versionsOf(plain.KeyId), settled, 'no rotation after turning it off');
    assert.equal((await describeKey(plain.KeyId)).AutomaticRotation, 'Disabled');
    assert.ok(settled.includes(rotated.PrimaryKeyVersion));
  });

  it('takes --min-rotation-interval as the lower limit: 2s is accepted, 1s is refused with InvalidParameter', async () => {
    const key = (await call('CreateKey', {})).KeyMetadata;
    await expectV3Error(call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: true, RotationInterval: '1s' }), {
      code: 'InvalidParameter',
      statusCode: 400,
      message: 'The specified parameter "RotationInterval" is not valid.',
    });
    assert.equal((await describeKey(key.KeyId)).AutomaticRotation, 'Disabled');
    await expectV3Error(call('CreateKey', { EnableAutomaticRotation: true, RotationInterval: '1s' }), {
      code: 'InvalidParameter',
      statusCode: 400,
    });
    await call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: true, RotationInterval: '2s' });
    assert.equal((await describeKey(key.KeyId)).RotationInterval, '2s');
    // The upper limit stays 730 days.
    await expectV3Error(call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: true, RotationInterval: '731d' }), {
      code: 'InvalidParameter',
      statusCode: 400,
    });
  });

  it('stops with exit code 0 on SIGTERM while the job runs', async () => {
    assert.deepEqual(await arca.stop('SIGTERM'), { code: 0, signal: null }, arca.stderr());
  });
});
