// Durability across a restart on the same data directory, the root-key check, and what the
// SQLite files hold at rest (the database and its write-ahead log, read as raw bytes).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import Database from 'better-sqlite3';

import { SealPurpose } from '../../src/domain/seal-purposes.js';
import { RootKey } from '../../src/protection/root-key.js';
import { callAcs3, callOk, send, signAcs3, type Credentials } from '../support/acs3-signer.js';
import { TEST_CREDENTIALS, testEnvironment } from '../support/environment.js';
import { startTestServer, TEST_ACCESS_KEY_SECRET, type TestServer } from '../support/server.js';

const credentials: Credentials = TEST_CREDENTIALS;
const DATABASE_FILE = 'arca.db';
const KNOWN_PLAINTEXT = 'Arca known plaintext 5d41402a: this sentence must never be stored in the clear';

interface Sealed {
  readonly keyId: string;
  readonly plaintext: string;
  readonly context?: string;
  readonly blob: string;
}

describe('restart on the same data directory', () => {
  let dataDir: string;
  let server: TestServer | undefined;

  const call = (action: string, params: Record<string, string> = {}): Promise<any> => {
    assert.ok(server, 'no server is running');
    return callOk(server, credentials, action, params);
  };

  async function stop(): Promise<void> {
    await server?.close({ keepData: true });
    server = undefined;
  }

  async function start(): Promise<void> {
    server = await startTestServer({ dataDir });
  }

  /** Everything the API shows about the keys, aliases and tags. */
  async function snapshot(): Promise<unknown> {
    const keys = (await call('ListKeys', { PageSize: '100' })).Keys.Key as Array<{ KeyId: string }>;
    const described: Record<string, unknown> = {};
    for (const { KeyId } of keys) {
      described[KeyId] = {
        metadata: (await call('DescribeKey', { KeyId })).KeyMetadata,
        tags: (await call('ListResourceTags', { KeyId })).Tags,
        aliases: (await call('ListAliasesByKeyId', { KeyId, PageSize: '100' })).Aliases,
      };
    }
    const { Aliases, TotalCount } = await call('ListAliases', { PageSize: '100' });
    return { keys, described, aliases: { Aliases, TotalCount } };
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'arca-restart-'));
    await start();
  });

  after(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(`${dataDir}.root.key`, { force: true });
  });

  it('keys, aliases, tags and states made before a restart are described the same after it, and every ciphertext decrypts', async () => {
    const aes = (await call('CreateKey', { KeySpec: 'Aliyun_AES_256', Description: 'AES key', Tags: '[{"TagKey":"team","TagValue":"a"}]' }))
      .KeyMetadata.KeyId;
    const sm4 = (await call('CreateKey', { KeySpec: 'Aliyun_SM4', Description: 'SM4 密钥' })).KeyMetadata.KeyId;
    const disabled = (await call('CreateKey', {})).KeyMetadata.KeyId;
    const pending = (await call('CreateKey', {})).KeyMetadata.KeyId;
    await call('CreateAlias', { KeyId: aes, AliasName: 'alias/restart-aes' });
    await call('CreateAlias', { KeyId: aes, AliasName: 'alias/restart-aes-2' });
    await call('CreateAlias', { KeyId: sm4, AliasName: 'alias/restart-sm4' });
    await call('TagResource', { KeyId: sm4, Tags: '[{"TagKey":"env","TagValue":"prod"},{"TagKey":"cipher","TagValue":"sm4"}]' });
    await call('SetDeletionProtection', { KeyId: sm4, EnableDeletionProtection: 'true', DeletionProtectionDescription: 'keep' });
    await call('DisableKey', { KeyId: disabled });
    await call('ScheduleKeyDeletion', { KeyId: pending, PendingWindowInDays: '7' });

    const sealed: Sealed[] = [];
    for (const [keyId, plaintext, context] of [
      [aes, 'hello', undefined],
      [aes, "a+b/c= d*(')!~ üñí €", '{"purpose":"restart","n":"1"}'],
      ['alias/restart-sm4', 'SM4 plaintext', undefined],
      [sm4, 'x'.repeat(6000), '{"big":"yes"}'],
      [aes, KNOWN_PLAINTEXT, undefined],
    ] as const) {
      const params: Record<string, string> = { KeyId: keyId, Plaintext: plaintext };
      if (context !== undefined) params.EncryptionContext = context;
      const { CiphertextBlob, KeyId } = await call('Encrypt', params);
      sealed.push({ keyId: KeyId, plaintext, blob: CiphertextBlob, ...(context === undefined ? {} : { context }) });
    }
    const dataKey = await call('GenerateDataKey', { KeyId: sm4, NumberOfBytes: '16' });
    sealed.push({ keyId: sm4, plaintext: dataKey.Plaintext, blob: dataKey.CiphertextBlob });
    const reEncrypted = await call('ReEncrypt', { CiphertextBlob: sealed[0]?.blob ?? '', DestinationKeyId: sm4 });
    sealed.push({ keyId: sm4, plaintext: 'hello', blob: reEncrypted.CiphertextBlob });

    const before = await snapshot();
    await stop();
    await start();
    assert.deepEqual(await snapshot(), before);

    for (const { keyId, plaintext, context, blob } of sealed) {
      const params: Record<string, string> = { CiphertextBlob: blob };
      if (context !== undefined) params.EncryptionContext = context;
      const decrypted = await call('Decrypt', params);
      assert.equal(decrypted.Plaintext, plaintext);
      assert.equal(decrypted.KeyId, keyId);
    }
    // The states came back too: they still decide.
    const refused = await callAcs3(server!, credentials, 'Encrypt', { KeyId: disabled, Plaintext: 'x' });
    assert.equal(refused.json?.Code, 'Rejected.Disabled');
    const pendingRefused = await callAcs3(server!, credentials, 'Encrypt', { KeyId: pending, Plaintext: 'x' });
    assert.equal(pendingRefused.json?.Code, 'Rejected.PendingDeletion');
    // And the keys keep working for new data.
    const fresh = await call('Encrypt', { KeyId: 'alias/restart-aes', Plaintext: 'after restart' });
    assert.equal((await call('Decrypt', { CiphertextBlob: fresh.CiphertextBlob })).Plaintext, 'after restart');
  });

  it('a signed request accepted before a graceful restart is refused after it with SignatureNonceUsed (the replay guard is saved and restored)', async () => {
    const countKeys = async (): Promise<number> => (await call('ListKeys', { PageSize: '1' })).TotalCount;
    const request = signAcs3({ credentials, host: server!.endpoint, action: 'CreateKey' });
    assert.equal((await send(server!, request)).status, 200);
    const count = await countKeys();
    await stop();
    await start();
    // The very same bytes (the signed Host names the old port, which the server does not check).
    const replay = await send(server!, request);
    assert.equal(replay.status, 400, `the replayed request was accepted: ${replay.text}`);
    assert.equal(replay.json?.Code, 'SignatureNonceUsed');
    assert.equal(await countKeys(), count, 'the replay created a key');
  });

  it('a start with the wrong ARCA_ROOT_KEY fails with a clear error and leaves the data directory usable', async () => {
    const before = await snapshot();
    await stop();
    await assert.rejects(
      startTestServer({ dataDir, environment: testEnvironment({ ARCA_ROOT_KEY: randomBytes(32).toString('base64') }) }),
      /root key does not match this data directory/,
    );
    await assert.rejects(
      startTestServer({ dataDir, environment: testEnvironment({ ARCA_ROOT_KEY: 'not a key' }) }),
      /ARCA_ROOT_KEY must hold the base64 form of a 32-byte key/,
    );
    await start();
    assert.deepEqual(await snapshot(), before);
  });

  it('the SQLite database file and its WAL hold no key material, secret or known plaintext in the clear, before or after a checkpoint', async () => {
    // Fresh writes, so the WAL of the running server holds key versions, sealed secrets and a
    // ciphertext of the known plaintext.
    const aes = (await call('CreateKey', { KeySpec: 'Aliyun_AES_256' })).KeyMetadata.KeyId;
    const sm4 = (await call('CreateKey', { KeySpec: 'Aliyun_SM4' })).KeyMetadata.KeyId;
    await call('Encrypt', { KeyId: aes, Plaintext: KNOWN_PLAINTEXT });
    await call('Encrypt', { KeyId: sm4, Plaintext: KNOWN_PLAINTEXT });
    const dataKeys = [
      (await call('GenerateDataKey', { KeyId: aes })).Plaintext as string,
      (await call('GenerateDataKey', { KeyId: sm4, NumberOfBytes: '16' })).Plaintext as string,
    ];

    const databasePath = join(dataDir, DATABASE_FILE);
    const walPath = `${databasePath}-wal`;
    const rootKeyText = readFileSync(`${dataDir}.root.key`, 'utf8').trim();
    const rootKey = RootKey.fromBase64(rootKeyText, 'the root key file');

    // What must never be found, and (as a control that the search sees the data) what must be.
    const forbidden: Array<{ what: string; bytes: Buffer }> = [];
    const expected: Array<{ what: string; bytes: Buffer }> = [];
    const forbid = (what: string, raw: Buffer): void => {
      forbidden.push(
        { what: `${what} (raw)`, bytes: raw },
        { what: `${what} (hex)`, bytes: Buffer.from(raw.toString('hex'), 'ascii') },
        { what: `${what} (HEX)`, bytes: Buffer.from(raw.toString('hex').toUpperCase(), 'ascii') },
        { what: `${what} (base64)`, bytes: Buffer.from(raw.toString('base64'), 'ascii') },
        { what: `${what} (base64url)`, bytes: Buffer.from(raw.toString('base64url'), 'ascii') },
      );
    };

    const reader = new Database(databasePath, { readonly: true, fileMustExist: true });
    let versions: Array<{ key_version_id: string; sealed_material: Buffer }>;
    try {
      versions = reader.prepare('SELECT key_version_id, sealed_material FROM key_versions').all() as typeof versions;
    } finally {
      reader.close();
    }
    assert.ok(versions.length >= 2, 'no key versions found');
    for (const version of versions) {
      const material = await rootKey.open(version.sealed_material, SealPurpose.KeyMaterial, version.key_version_id);
      assert.ok(material.length === 16 || material.length === 32, `material of ${version.key_version_id} has ${material.length} bytes`);
      forbid(`material of key version ${version.key_version_id}`, material);
      expected.push({ what: `sealed material of ${version.key_version_id}`, bytes: version.sealed_material });
    }
    forbid('the known plaintext', Buffer.from(KNOWN_PLAINTEXT, 'utf8'));
    for (const [index, dataKey] of dataKeys.entries()) {
      forbid(`data key ${index}`, Buffer.from(dataKey, 'base64'));
      forbidden.push({ what: `data key ${index} (as returned)`, bytes: Buffer.from(dataKey, 'ascii') });
    }
    forbid('the administrator secret', Buffer.from(TEST_ACCESS_KEY_SECRET, 'utf8'));
    forbid('the root key', Buffer.from(rootKeyText, 'base64'));

    const inspect = (label: string, files: Record<string, Buffer>): void => {
      for (const { what, bytes } of forbidden) {
        for (const [file, contents] of Object.entries(files)) {
          assert.equal(contents.indexOf(bytes), -1, `${label}: ${what} found in ${file}`);
        }
      }
      for (const { what, bytes } of expected) {
        assert.ok(
          Object.values(files).some((contents) => contents.includes(bytes)),
          `${label}: ${what} is in neither file, so the search is not looking at the data`,
        );
      }
    };

    // Before a checkpoint: the recent writes live in the WAL of the running server.
    assert.ok(statSync(walPath).size > 0, 'the WAL is empty: the recent writes are not there');
    inspect('before checkpoint', { [DATABASE_FILE]: readFileSync(databasePath), [`${DATABASE_FILE}-wal`]: readFileSync(walPath) });

    // Move everything into the database file, then look again.
    const writer = new Database(databasePath, { fileMustExist: true });
    try {
      const [result] = writer.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
      assert.equal(result?.busy, 0, 'the checkpoint could not complete');
    } finally {
      writer.close();
    }
    const afterCheckpoint = readFileSync(databasePath);
    for (const { what, bytes } of expected)
      assert.ok(afterCheckpoint.includes(bytes), `after checkpoint: ${what} is not in the database file`);
    inspect('after checkpoint', { [DATABASE_FILE]: afterCheckpoint, [`${DATABASE_FILE}-wal`]: readFileSync(walPath) });

    // The server is still serving from the same files.
    assert.equal((await call('DescribeKey', { KeyId: aes })).KeyMetadata.KeyId, aes);
  });
});
