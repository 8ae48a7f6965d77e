// Key versions and rotation through the current SDK's wire path (openapi-core callApi,
// ACS3-HMAC-SHA256) and through the npm 1.2.0 client: CreateKeyVersion, DescribeKeyVersion,
// ListKeyVersions, UpdateRotationPolicy and the rotation fields of KeyMetadata. Expectations come
// from alibaba-kms-api.md §3 (rotation rules) and §6.4 (shapes), and for UpdateRotationPolicy's
// states from Alibaba's "Impact of CMK status on API operations" (docs/state-table.md), not from src/.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { KmsModels, v1Client, v3Caller } from '../support/clients.js';
import { aliasNamer, testServerForFile, type Call } from '../support/sdk-calls.js';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  assertOnlyRequestId,
  assertRequestId,
  base64Bytes,
  DAY_MS,
  expectV1Error,
  expectV3Error,
  keyArnOf,
  LOWER_UUID,
  REQUEST_ID,
  wireDateMs,
} from './support-sdk-assertions.js';

let call: Call;
const server = testServerForFile((started) => {
  call = v3Caller(started);
});

const M: any = KmsModels;

const uniqueAlias = aliasNamer('sdk-v3-versions');

async function createKey(query: Record<string, unknown> = {}): Promise<any> {
  return (await call('CreateKey', query)).KeyMetadata;
}

async function describeKey(keyId: string): Promise<any> {
  return (await call('DescribeKey', { KeyId: keyId })).KeyMetadata;
}

async function createKeyVersion(keyId: string): Promise<any> {
  return (await call('CreateKeyVersion', { KeyId: keyId })).KeyVersion;
}

/** Every version of a key, page after page of 100. */
async function allVersions(keyId: string): Promise<any[]> {
  const versions: any[] = [];
  for (let page = 1; ; page++) {
    const body = await call('ListKeyVersions', { KeyId: keyId, PageNumber: page, PageSize: 100 });
    versions.push(...body.KeyVersions.KeyVersion);
    if (versions.length >= body.TotalCount || body.KeyVersions.KeyVersion.length === 0) return versions;
  }
}

/** A KeyVersion object exactly as §6.4 gives it. */
function assertKeyVersionShape(version: any, keyId: string): void {
  assert.deepEqual(Object.keys(version).sort(), ['CreationDate', 'KeyId', 'KeyVersionId']);
  assert.equal(version.KeyId, keyId);
  assert.match(version.KeyVersionId, LOWER_UUID);
  wireDateMs(version.CreationDate, 'CreationDate');
}

const INVALID_INTERVAL = { code: 'InvalidParameter', statusCode: 400, message: 'The specified parameter "RotationInterval" is not valid.' };
const MISSING_INTERVAL = {
  code: 'MissingParameter',
  statusCode: 400,
  message: 'The parameter "RotationInterval" is needed but not provided.',
};
const VERSION_NOT_FOUND = { code: 'Forbidden.KeyVersionNotFound', statusCode: 404 };

describe('CreateKeyVersion', () => {
  it('answers {KeyVersion:{CreationDate,KeyId,KeyVersionId}} and the new version becomes PrimaryKeyVersion', async () => {
    const key = await createKey();
    const from = Date.now();
    const body = await call('CreateKeyVersion', { KeyId: key.KeyId });
    const to = Date.now();
    assertRequestId(body);
    assert.deepEqual(Object.keys(body).sort(), ['KeyVersion', 'RequestId']);
    assertKeyVersionShape(body.KeyVersion, key.KeyId);
    assert.notEqual(body.KeyVersion.KeyVersionId, key.PrimaryKeyVersion, 'a new version id');
    const created = wireDateMs(body.KeyVersion.CreationDate);
    assert.ok(created >= Math.floor(from / 1000) * 1000 && created <= to, 'CreationDate is now');

    const described = await describeKey(key.KeyId);
    assert.equal(described.PrimaryKeyVersion, body.KeyVersion.KeyVersionId);
    assert.equal(described.LastRotationDate, body.KeyVersion.CreationDate, 'a rotation sets LastRotationDate');
    assert.equal(described.CreationDate, key.CreationDate, 'the key itself keeps its CreationDate');
    assert.equal(described.KeyState, 'Enabled');
  });

  it('takes an alias or an Arn as KeyId and answers with the real KeyId', async () => {
    const key = await createKey({ KeySpec: 'Aliyun_SM4' });
    const aliasName = uniqueAlias('create');
    await call('CreateAlias', { AliasName: aliasName, KeyId: key.KeyId });
    const byAlias = await createKeyVersion(aliasName);
    assertKeyVersionShape(byAlias, key.KeyId);
    const byArn = await createKeyVersion(keyArnOf(key.KeyId));
    assertKeyVersionShape(byArn, key.KeyId);
    assert.equal((await describeKey(key.KeyId)).PrimaryKeyVersion, byArn.KeyVersionId);
    assert.equal((await allVersions(key.KeyId)).length, 3);
  });

  for (const keySpec of ['Aliyun_AES_256', 'Aliyun_SM4']) {
    it(`under ${keySpec}: Encrypt uses the primary version, and every ciphertext of every earlier version still decrypts after 5 rotations`, async () => {
      const key = await createKey({ KeySpec: keySpec });
      const versionIds: string[] = [key.PrimaryKeyVersion];
      const sealed: Array<{ blob: string; plaintext: string; context: Record<string, string>; versionId: string }> = [];
      const sealUnderPrimary = async (generation: number): Promise<void> => {
        const primary = versionIds[versionIds.length - 1] ?? '';
        const contexts: Array<Record<string, string>> = [{}, { tenant: 'acme', generation: String(generation) }];
        for (const [index, context] of contexts.entries()) {
          const plaintext = `generation ${generation} sample ${index} ${randomUUID()}`;
          const encrypted = await call('Encrypt', {
            KeyId: key.KeyId,
            Plaintext: plaintext,
            ...(Object.keys(context).length > 0 ? { EncryptionContext: context } : {}),
          });
          assert.equal(encrypted.KeyId, key.KeyId);
          assert.equal(encrypted.KeyVersionId, primary, `Encrypt uses the primary version (generation ${generation})`);
          assert.equal(base64Bytes(encrypted.CiphertextBlob).toString('latin1', 0, 36), primary, 'the blob names its version');
          sealed.push({ blob: encrypted.CiphertextBlob, plaintext, context, versionId: primary });
        }
        const dataKey = await call('GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId, EncryptionContext: { dk: String(generation) } });
        assert.equal(dataKey.KeyVersionId, primary, 'GenerateDataKeyWithoutPlaintext uses the primary version');
      };

      await sealUnderPrimary(0);
      for (let generation = 1; generation <= 5; generation++) {
        const version = await createKeyVersion(key.KeyId);
        assert.ok(!versionIds.includes(version.KeyVersionId), 'every rotation makes a new version');
        versionIds.push(version.KeyVersionId);
        assert.equal((await describeKey(key.KeyId)).PrimaryKeyVersion, version.KeyVersionId);
        await sealUnderPrimary(generation);
      }

      assert.equal(sealed.length, 12);
      for (const { blob, plaintext, context, versionId } of sealed) {
        const decrypted = await call('Decrypt', {
          CiphertextBlob: blob,
          ...(Object.keys(context).length > 0 ? { EncryptionContext: context } : {}),
        });
        assert.equal(decrypted.Plaintext, plaintext);
        assert.equal(decrypted.KeyId, key.KeyId);
        assert.equal(decrypted.KeyVersionId, versionId, 'Decrypt names the version the blob was sealed under');
      }
      // The encryption context still binds blobs of old versions.
      const bound = sealed.find((entry) => Object.keys(entry.context).length > 0 && entry.versionId === versionIds[0]);
      assert.ok(bound);
      await expectV3Error(call('Decrypt', { CiphertextBlob: bound.blob, EncryptionContext: { tenant: 'acme', generation: '5' } }), {
        code: 'InvalidParameter',
        statusCode: 400,
      });

      // Re-encrypting a blob of the first version lands under the current primary.
      const reEncrypted = await call('ReEncrypt', {
        CiphertextBlob: bound.blob,
        SourceEncryptionContext: bound.context,
        DestinationKeyId: key.KeyId,
      });
      assert.equal(base64Bytes(reEncrypted.CiphertextBlob).toString('latin1', 0, 36), versionIds[5]);
      const reDecrypted = await call('Decrypt', { CiphertextBlob: reEncrypted.CiphertextBlob });
      assert.equal(reDecrypted.Plaintext, bound.plaintext);
      assert.equal(reDecrypted.KeyVersionId, versionIds[5]);

      assert.deepEqual(
        (await allVersions(key.KeyId)).map((version) => version.KeyVersionId),
        versionIds,
        'ListKeyVersions lists all six, oldest first',
      );
    });
  }

  it('is refused on a Disabled key with 409 Rejected.Disabled, and on a PendingDeletion key with 409 Rejected.PendingDeletion, changing nothing', async () => {
    for (const [move, refusal] of [
      [{ action: 'DisableKey' }, { code: 'Rejected.Disabled', statusCode: 409 }],
      [
        { action: 'ScheduleKeyDeletion', PendingWindowInDays: 7 },
        { code: 'Rejected.PendingDeletion', statusCode: 409 },
      ],
    ] as const) {
      const key = await createKey({ EnableAutomaticRotation: true, RotationInterval: '7d' });
      const { action, ...rest } = move;
      await call(action, { KeyId: key.KeyId, ...rest });
      const before = await describeKey(key.KeyId);
      const versionsBefore = await allVersions(key.KeyId);
      await expectV3Error(call('CreateKeyVersion', { KeyId: key.KeyId }), refusal);
      assert.deepEqual(await describeKey(key.KeyId), before, `${action}: the key is unchanged`);
      assert.deepEqual(await allVersions(key.KeyId), versionsBefore, `${action}: no version was added`);
    }
  });

  it('is refused for an unknown key with 404 Forbidden.KeyNotFound and without a KeyId with MissingParameter', async () => {
    await expectV3Error(call('CreateKeyVersion', { KeyId: randomUUID() }), { code: 'Forbidden.KeyNotFound', statusCode: 404 });
    await expectV3Error(call('CreateKeyVersion', {}), { code: 'MissingParameter', statusCode: 400 });
  });
});

describe('DescribeKeyVersion', () => {
  it('describes every version, the first one included, with the object CreateKeyVersion returned', async () => {
    const key = await createKey();
    const first = await call('DescribeKeyVersion', { KeyId: key.KeyId, KeyVersionId: key.PrimaryKeyVersion });
    assertRequestId(first);
    assert.deepEqual(Object.keys(first).sort(), ['KeyVersion', 'RequestId']);
    assertKeyVersionShape(first.KeyVersion, key.KeyId);
    assert.equal(first.KeyVersion.KeyVersionId, key.PrimaryKeyVersion);
    assert.equal(first.KeyVersion.CreationDate, key.CreationDate, 'the first version is as old as the key');

    const second = await createKeyVersion(key.KeyId);
    const aliasName = uniqueAlias('describe');
    await call('CreateAlias', { AliasName: aliasName, KeyId: key.KeyId });
    for (const reference of [key.KeyId, aliasName, key.Arn]) {
      assert.deepEqual((await call('DescribeKeyVersion', { KeyId: reference, KeyVersionId: second.KeyVersionId })).KeyVersion, second);
      assert.deepEqual(
        (await call('DescribeKeyVersion', { KeyId: reference, KeyVersionId: key.PrimaryKeyVersion })).KeyVersion,
        first.KeyVersion,
      );
    }
  });

  it('answers 404 Forbidden.KeyVersionNotFound for an unknown KeyVersionId and for a version of another key', async () => {
    const key = await createKey();
    const other = await createKey();
    const otherRotated = await createKeyVersion(other.KeyId);
    for (const keyVersionId of [randomUUID(), 'not-a-version-id', other.PrimaryKeyVersion, otherRotated.KeyVersionId]) {
      const thrown = await expectV3Error(call('DescribeKeyVersion', { KeyId: key.KeyId, KeyVersionId: keyVersionId }), VERSION_NOT_FOUND);
      assert.equal(thrown.data.Message, 'The specified Key version is not found.');
    }
    // The same version under its own key is found.
    assert.equal(
      (await call('DescribeKeyVersion', { KeyId: other.KeyId, KeyVersionId: otherRotated.KeyVersionId })).KeyVersion.KeyId,
      other.KeyId,
    );
  });

  it('answers 404 Forbidden.KeyNotFound for an unknown key and MissingParameter without KeyVersionId', async () => {
    const key = await createKey();
    await expectV3Error(call('DescribeKeyVersion', { KeyId: randomUUID(), KeyVersionId: key.PrimaryKeyVersion }), {
      code: 'Forbidden.KeyNotFound',
      statusCode: 404,
    });
    await expectV3Error(call('DescribeKeyVersion', { KeyId: key.KeyId }), {
      code: 'MissingParameter',
      statusCode: 400,
      message: 'The parameter "KeyVersionId" is needed but not provided.',
    });
  });
});

describe('ListKeyVersions', () => {
  it('pages 5 versions 2 at a time, oldest first, with TotalCount and the exact KeyVersions.KeyVersion[] wrapper', async () => {
    const key = await createKey();
    const expected: any[] = [(await call('DescribeKeyVersion', { KeyId: key.KeyId, KeyVersionId: key.PrimaryKeyVersion })).KeyVersion];
    for (let i = 0; i < 4; i++) expected.push(await createKeyVersion(key.KeyId));

    const seen: any[] = [];
    for (const [pageNumber, size] of [
      [1, 2],
      [2, 2],
      [3, 1],
    ] as const) {
      const body = await call('ListKeyVersions', { KeyId: key.KeyId, PageNumber: pageNumber, PageSize: 2 });
      assertRequestId(body);
      assert.deepEqual(Object.keys(body).sort(), ['KeyVersions', 'PageNumber', 'PageSize', 'RequestId', 'TotalCount']);
      assert.deepEqual(Object.keys(body.KeyVersions), ['KeyVersion']);
      assert.ok(Array.isArray(body.KeyVersions.KeyVersion));
      assert.equal(body.TotalCount, 5);
      assert.equal(body.PageNumber, pageNumber);
      assert.equal(body.PageSize, 2);
      assert.equal(body.KeyVersions.KeyVersion.length, size, `page ${pageNumber}`);
      for (const version of body.KeyVersions.KeyVersion) assertKeyVersionShape(version, key.KeyId);
      seen.push(...body.KeyVersions.KeyVersion);
    }
    assert.deepEqual(seen, expected, 'the pages together list every version once, oldest first');
    const created = seen.map((version) => wireDateMs(version.CreationDate));
    assert.deepEqual(
      created,
      [...created].sort((a, b) => a - b),
      'CreationDate never decreases',
    );

    const beyond = await call('ListKeyVersions', { KeyId: key.KeyId, PageNumber: 4, PageSize: 2 });
    assert.deepEqual(beyond.KeyVersions, { KeyVersion: [] }, 'a page past the end is an empty array, still wrapped');
    assert.equal(beyond.TotalCount, 5);

    const defaults = await call('ListKeyVersions', { KeyId: key.KeyId });
    assert.equal(defaults.PageNumber, 1);
    assert.equal(defaults.PageSize, 10);
    assert.equal(defaults.TotalCount, 5);
    assert.deepEqual(defaults.KeyVersions.KeyVersion, expected);
  });

  it('lists the one version of a new key, and answers by alias and Arn', async () => {
    const key = await createKey({ KeySpec: 'Aliyun_SM4' });
    const aliasName = uniqueAlias('list');
    await call('CreateAlias', { AliasName: aliasName, KeyId: key.KeyId });
    for (const reference of [key.KeyId, aliasName, key.Arn]) {
      const body = await call('ListKeyVersions', { KeyId: reference });
      assert.equal(body.TotalCount, 1);
      assert.deepEqual(body.KeyVersions.KeyVersion, [
        { CreationDate: key.CreationDate, KeyId: key.KeyId, KeyVersionId: key.PrimaryKeyVersion },
      ]);
    }
  });

  it('answers 404 Forbidden.KeyNotFound for an unknown key and 400 for a bad page', async () => {
    await expectV3Error(call('ListKeyVersions', { KeyId: randomUUID() }), { code: 'Forbidden.KeyNotFound', statusCode: 404 });
    const key = await createKey();
    await expectV3Error(call('ListKeyVersions', { KeyId: key.KeyId, PageNumber: 0 }), { code: 'InvalidParameter', statusCode: 400 });
    await expectV3Error(call('ListKeyVersions', { KeyId: key.KeyId, PageSize: 'ten' }), { code: 'InvalidParameter', statusCode: 400 });
  });
});

describe('ListKeyVersions order when versions share a timestamp or the clock steps back', () => {
  // "Oldest first" means the order the versions were made in, and the primary (the newest) last.
  // The server's clock is the only thing varied here: versions made within one millisecond (a
  // fast machine, or two rotations in a row) and a wall clock stepped back between rotations (an
  // NTP correction) must not reorder the list.
  let clocked: TestServer;
  let clockedCall: Call;
  let now = Date.now();

  before(async () => {
    clocked = await startTestServer({ clock: { now: () => now } });
    clockedCall = v3Caller(clocked);
  });

  after(async () => {
    await clocked?.close();
  });

  async function listedAndPrimary(keyId: string): Promise<{ listed: string[]; primary: string }> {
    const listed = (await clockedCall('ListKeyVersions', { KeyId: keyId, PageSize: 100 })).KeyVersions.KeyVersion.map(
      (version: any) => version.KeyVersionId as string,
    );
    return { listed, primary: (await clockedCall('DescribeKey', { KeyId: keyId })).KeyMetadata.PrimaryKeyVersion };
  }

  it('lists versions made within the same millisecond in the order they were made, the primary last', async () => {
    now = Date.now();
    for (let k = 0; k < 3; k++) {
      const key = (await clockedCall('CreateKey', {})).KeyMetadata;
      const made = [key.PrimaryKeyVersion as string];
      for (let i = 0; i < 5; i++) made.push((await clockedCall('CreateKeyVersion', { KeyId: key.KeyId })).KeyVersion.KeyVersionId);
      const { listed, primary } = await listedAndPrimary(key.KeyId);
      assert.equal(primary, made[5], 'the last version made is primary');
      assert.equal(listed.at(-1), primary, 'the primary is listed last');
      assert.deepEqual(listed, made, 'listed in the order made');
    }
  });

  it('lists versions in the order they were made when the clock steps back between rotations', async () => {
    now = Date.now();
    const key = (await clockedCall('CreateKey', {})).KeyMetadata;
    const made = [key.PrimaryKeyVersion as string];
    for (let i = 0; i < 3; i++) {
      now -= 5_000;
      made.push((await clockedCall('CreateKeyVersion', { KeyId: key.KeyId })).KeyVersion.KeyVersionId);
    }
    const { listed, primary } = await listedAndPrimary(key.KeyId);
    assert.equal(primary, made[3]);
    assert.equal(listed.at(-1), primary, 'the primary is listed last');
    assert.deepEqual(listed, made, 'listed in the order made');
  });
});

describe('UpdateRotationPolicy and the rotation fields of DescribeKey', () => {
  function assertRotating(metadata: any, state: 'Enabled' | 'Suspended', intervalSeconds: number): void {
    assert.equal(metadata.AutomaticRotation, state);
    assert.equal(metadata.RotationInterval, `${intervalSeconds}s`);
    assert.equal(
      wireDateMs(metadata.NextRotationDate, 'NextRotationDate') - wireDateMs(metadata.LastRotationDate, 'LastRotationDate'),
      intervalSeconds * 1000,
      'NextRotationDate = LastRotationDate + RotationInterval',
    );
  }

  function assertNotRotating(metadata: any): void {
    assert.equal(metadata.AutomaticRotation, 'Disabled');
    assert.equal(metadata.RotationInterval, undefined);
    assert.equal(metadata.NextRotationDate, undefined);
    wireDateMs(metadata.LastRotationDate, 'LastRotationDate');
  }

  it('turns automatic rotation on and off; DescribeKey follows', async () => {
    const key = await createKey();
    assertNotRotating(key);
    assertOnlyRequestId(await call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: true, RotationInterval: '30d' }));
    const on = await describeKey(key.KeyId);
    assertRotating(on, 'Enabled', 30 * 86_400);
    assert.equal(on.LastRotationDate, key.LastRotationDate, 'turning rotation on does not rotate');
    assert.equal(on.PrimaryKeyVersion, key.PrimaryKeyVersion);

    // A manual rotation moves LastRotationDate and with it NextRotationDate.
    const rotated = await createKeyVersion(key.KeyId);
    const after = await describeKey(key.KeyId);
    assert.equal(after.LastRotationDate, rotated.CreationDate);
    assertRotating(after, 'Enabled', 30 * 86_400);

    assertOnlyRequestId(await call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: 'false' }));
    const off = await describeKey(key.KeyId);
    assertNotRotating(off);
    assert.equal(off.PrimaryKeyVersion, rotated.KeyVersionId, 'turning rotation off keeps the versions');
    assert.equal((await allVersions(key.KeyId)).length, 2);

    // On again with another interval, through an alias.
    const aliasName = uniqueAlias('policy');
    await call('CreateAlias', { AliasName: aliasName, KeyId: key.KeyId });
    await call('UpdateRotationPolicy', { KeyId: aliasName, EnableAutomaticRotation: 'true', RotationInterval: '604800s' });
    assertRotating(await describeKey(key.KeyId), 'Enabled', 604_800);
  });

  it('changes the interval of a key created with rotation on', async () => {
    const key = await createKey({ KeySpec: 'Aliyun_SM4', EnableAutomaticRotation: true, RotationInterval: '365d' });
    assertRotating(key, 'Enabled', 365 * 86_400);
    await call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: true, RotationInterval: '10d' });
    assertRotating(await describeKey(key.KeyId), 'Enabled', 10 * 86_400);
  });

  it('reports Suspended while the key is Disabled or PendingDeletion; the policy changes only while Enabled', async () => {
    const key = await createKey({ EnableAutomaticRotation: true, RotationInterval: '7d' });
    await call('DisableKey', { KeyId: key.KeyId });
    const disabled = await describeKey(key.KeyId);
    assertRotating(disabled, 'Suspended', 604_800);
    // Alibaba's "Impact of CMK status on API operations" (docs/state-table.md): Rejected.Disabled.
    await expectV3Error(call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: true, RotationInterval: '14d' }), {
      code: 'Rejected.Disabled',
      statusCode: 409,
    });
    assert.deepEqual(await describeKey(key.KeyId), disabled, 'refused while Disabled: nothing changed');
    await call('EnableKey', { KeyId: key.KeyId });
    await call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: true, RotationInterval: '14d' });
    assertRotating(await describeKey(key.KeyId), 'Enabled', 14 * 86_400);

    await call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 7 });
    const pending = await describeKey(key.KeyId);
    assertRotating(pending, 'Suspended', 14 * 86_400);
    await expectV3Error(call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: false }), {
      code: 'Rejected.PendingDeletion',
      statusCode: 409,
    });
    await expectV3Error(call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: true, RotationInterval: '20d' }), {
      code: 'Rejected.PendingDeletion',
      statusCode: 409,
    });
    assert.deepEqual(await describeKey(key.KeyId), pending, 'refused in PendingDeletion: nothing changed');

    await call('CancelKeyDeletion', { KeyId: key.KeyId });
    assertRotating(await describeKey(key.KeyId), 'Enabled', 14 * 86_400);
  });

  it('a key whose rotation is off is never Suspended', async () => {
    const key = await createKey();
    await call('DisableKey', { KeyId: key.KeyId });
    assertNotRotating(await describeKey(key.KeyId));
  });

  const ACCEPTED: ReadonlyArray<readonly [string, number]> = [
    ['7d', 604_800],
    ['604800s', 604_800],
    ['168h', 604_800],
    ['10080m', 604_800],
    ['30d', 2_592_000],
    ['730d', 63_072_000],
    ['63072000s', 63_072_000],
  ];
  for (const [interval, seconds] of ACCEPTED) {
    it(`accepts RotationInterval ${interval} (${seconds}s) in UpdateRotationPolicy and CreateKey`, async () => {
      const key = await createKey();
      await call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: true, RotationInterval: interval });
      assertRotating(await describeKey(key.KeyId), 'Enabled', seconds);
      const created = await createKey({ EnableAutomaticRotation: true, RotationInterval: interval });
      assertRotating(created, 'Enabled', seconds);
      assertRotating(await describeKey(created.KeyId), 'Enabled', seconds);
    });
  }

  const REFUSED = ['6d', '731d', '604799s', '63072001s', '10079m', '167h', '0d', '7', '7w', '-7d', 'abc', 'd', '7.5d', '1e3d'];
  for (const interval of REFUSED) {
    it(`refuses RotationInterval ${JSON.stringify(interval)} with 400 InvalidParameter and changes nothing`, async () => {
      const key = await createKey({ EnableAutomaticRotation: true, RotationInterval: '30d' });
      const before = await describeKey(key.KeyId);
      await expectV3Error(
        call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: true, RotationInterval: interval }),
        INVALID_INTERVAL,
      );
      assert.deepEqual(await describeKey(key.KeyId), before, 'the key is unchanged');

      const plain = await createKey();
      await expectV3Error(
        call('UpdateRotationPolicy', { KeyId: plain.KeyId, EnableAutomaticRotation: true, RotationInterval: interval }),
        INVALID_INTERVAL,
      );
      assertNotRotating(await describeKey(plain.KeyId));

      const keysBefore = (await call('ListKeys', {})).TotalCount;
      await expectV3Error(call('CreateKey', { EnableAutomaticRotation: true, RotationInterval: interval }), INVALID_INTERVAL);
      assert.equal((await call('ListKeys', {})).TotalCount, keysBefore, 'CreateKey created nothing');
    });
  }

  it('refuses an empty or absent RotationInterval when enabling with 400 MissingParameter, and changes nothing', async () => {
    const key = await createKey();
    const before = await describeKey(key.KeyId);
    for (const query of [{}, { RotationInterval: '' }]) {
      await expectV3Error(call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: true, ...query }), MISSING_INTERVAL);
      assert.deepEqual(await describeKey(key.KeyId), before);
      const keysBefore = (await call('ListKeys', {})).TotalCount;
      await expectV3Error(call('CreateKey', { EnableAutomaticRotation: 'true', ...query }), MISSING_INTERVAL);
      assert.equal((await call('ListKeys', {})).TotalCount, keysBefore, 'CreateKey created nothing');
    }
  });

  it('refuses a missing or non-boolean EnableAutomaticRotation with 400, and an unknown key with 404', async () => {
    const key = await createKey();
    const before = await describeKey(key.KeyId);
    await expectV3Error(call('UpdateRotationPolicy', { KeyId: key.KeyId, RotationInterval: '7d' }), {
      code: 'MissingParameter',
      statusCode: 400,
      message: 'The parameter "EnableAutomaticRotation" is needed but not provided.',
    });
    await expectV3Error(call('UpdateRotationPolicy', { KeyId: key.KeyId, EnableAutomaticRotation: 'yes', RotationInterval: '7d' }), {
      code: 'InvalidParameter',
      statusCode: 400,
      message: 'The specified parameter "EnableAutomaticRotation" is not valid.',
    });
    assert.deepEqual(await describeKey(key.KeyId), before);
    await expectV3Error(call('UpdateRotationPolicy', { KeyId: randomUUID(), EnableAutomaticRotation: false }), {
      code: 'Forbidden.KeyNotFound',
      statusCode: 404,
    });
  });

  it('refuses automatic rotation for an EXTERNAL key with a 400 and creates nothing', async () => {
    const keysBefore = (await call('ListKeys', {})).TotalCount;
    await expectV3Error(call('CreateKey', { Origin: 'EXTERNAL', EnableAutomaticRotation: true, RotationInterval: '30d' }), {
      code: 'Unsupported.Origin',
      statusCode: 400,
    });
    assert.equal((await call('ListKeys', {})).TotalCount, keysBefore);
  });

  it('NextRotationDate is exactly one interval after LastRotationDate for many intervals', async () => {
    for (const days of [7, 8, 90, 180, 365, 729]) {
      const key = await createKey({ EnableAutomaticRotation: true, RotationInterval: `${days}d` });
      assert.equal(wireDateMs(key.NextRotationDate) - wireDateMs(key.LastRotationDate), days * DAY_MS);
    }
  });
});

describe('key versions through the npm 1.2.0 client (rpc-client, HMAC-SHA1)', () => {
  let client: any;

  before(() => {
    client = v1Client(server());
  });

  it('has the four methods', () => {
    for (const method of ['createKeyVersion', 'describeKeyVersion', 'listKeyVersions', 'updateRotationPolicy']) {
      assert.equal(typeof client[method], 'function', method);
    }
  });

  it('creates, describes and lists versions, and reads every modelled field', async () => {
    const key = (await client.createKey(new M.CreateKeyRequest({ keySpec: 'Aliyun_SM4' }))).keyMetadata;
    const created = await client.createKeyVersion(new M.CreateKeyVersionRequest({ keyId: key.keyId }));
    assert.match(created.requestId, REQUEST_ID);
    assert.equal(created.keyVersion.keyId, key.keyId);
    assert.match(created.keyVersion.keyVersionId, LOWER_UUID);
    wireDateMs(created.keyVersion.creationDate, 'creationDate');
    assert.equal(
      (await client.describeKey(new M.DescribeKeyRequest({ keyId: key.keyId }))).keyMetadata.primaryKeyVersion,
      created.keyVersion.keyVersionId,
    );

    const described = await client.describeKeyVersion(
      new M.DescribeKeyVersionRequest({ keyId: key.keyId, keyVersionId: key.primaryKeyVersion }),
    );
    assert.match(described.requestId, REQUEST_ID);
    assert.equal(described.keyVersion.keyId, key.keyId);
    assert.equal(described.keyVersion.keyVersionId, key.primaryKeyVersion);
    assert.equal(described.keyVersion.creationDate, key.creationDate);

    const encrypted = await client.encrypt(
      new M.EncryptRequest({ keyId: key.keyId, plaintext: 'v1 rotated', encryptionContext: { via: 'v1' } }),
    );
    assert.equal(encrypted.keyVersionId, created.keyVersion.keyVersionId);

    const page1 = await client.listKeyVersions(new M.ListKeyVersionsRequest({ keyId: key.keyId, pageNumber: 1, pageSize: 1 }));
    assert.match(page1.requestId, REQUEST_ID);
    assert.equal(page1.totalCount, 2);
    assert.equal(page1.pageNumber, 1);
    assert.equal(page1.pageSize, 1);
    assert.ok(Array.isArray(page1.keyVersions.keyVersion));
    assert.deepEqual(
      page1.keyVersions.keyVersion.map((version: any) => version.keyVersionId),
      [key.primaryKeyVersion],
    );
    const page2 = await client.listKeyVersions(new M.ListKeyVersionsRequest({ keyId: key.keyId, pageNumber: 2, pageSize: 1 }));
    assert.deepEqual(
      page2.keyVersions.keyVersion.map((version: any) => [version.keyId, version.keyVersionId, version.creationDate]),
      [[key.keyId, created.keyVersion.keyVersionId, created.keyVersion.creationDate]],
    );
    const decrypted = await client.decrypt(
      new M.DecryptRequest({ ciphertextBlob: encrypted.ciphertextBlob, encryptionContext: { via: 'v1' } }),
    );
    assert.equal(decrypted.plaintext, 'v1 rotated');
  });

  it('turns rotation on and off with updateRotationPolicy', async () => {
    const key = (await client.createKey(new M.CreateKeyRequest({}))).keyMetadata;
    const on = await client.updateRotationPolicy(
      new M.UpdateRotationPolicyRequest({ keyId: key.keyId, enableAutomaticRotation: true, rotationInterval: '168h' }),
    );
    assert.match(on.requestId, REQUEST_ID);
    const described = (await client.describeKey(new M.DescribeKeyRequest({ keyId: key.keyId }))).keyMetadata;
    assert.equal(described.automaticRotation, 'Enabled');
    assert.equal(described.rotationInterval, '604800s');
    assert.equal(wireDateMs(described.nextRotationDate) - wireDateMs(described.lastRotationDate), 7 * DAY_MS);
    await client.updateRotationPolicy(new M.UpdateRotationPolicyRequest({ keyId: key.keyId, enableAutomaticRotation: false }));
    assert.equal((await client.describeKey(new M.DescribeKeyRequest({ keyId: key.keyId }))).keyMetadata.automaticRotation, 'Disabled');
  });

  it('reports the documented errors as <Code>Error', async () => {
    const key = (await client.createKey(new M.CreateKeyRequest({}))).keyMetadata;
    await expectV1Error(client.describeKeyVersion(new M.DescribeKeyVersionRequest({ keyId: key.keyId, keyVersionId: randomUUID() })), {
      code: 'Forbidden.KeyVersionNotFound',
      statusCode: 404,
    });
    await expectV1Error(
      client.updateRotationPolicy(
        new M.UpdateRotationPolicyRequest({ keyId: key.keyId, enableAutomaticRotation: true, rotationInterval: '6d' }),
      ),
      { code: 'InvalidParameter', statusCode: 400, message: 'The specified parameter "RotationInterval" is not valid.' },
    );
    await client.disableKey(new M.DisableKeyRequest({ keyId: key.keyId }));
    await expectV1Error(client.createKeyVersion(new M.CreateKeyVersionRequest({ keyId: key.keyId })), {
      code: 'Rejected.Disabled',
      statusCode: 409,
    });
    assert.equal((await client.listKeyVersions(new M.ListKeyVersionsRequest({ keyId: key.keyId }))).totalCount, 1);
  });
});
