// `arca backup` and `arca restore` as an operator runs them: a backup taken from a real server's
// data directory while clients keep encrypting and creating keys, restored into a new directory,
// and a server on the restored directory with the same root key decrypting every ciphertext made
// before the backup began; a wrong root key, a damaged file and a non-empty directory refused.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  CLI,
  childEnvironment,
  ensureBuilt,
  killAllArcas,
  randomCredentials,
  ROOT,
  spawnArca,
  type ArcaProcess,
} from '../support/arca-process.js';
import { runCli } from '../support/arca-cli.js';
import { v3Caller } from '../support/clients.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';
import { spawnSync } from 'node:child_process';

interface Sealed {
  readonly plaintext: string;
  readonly blob: string;
}

const credentials = randomCredentials('backup');
const rootKey = randomBytes(32).toString('base64');
const LOAD_WORKERS = 8;
const ENCRYPTIONS_BEFORE_BACKUP = 100;

function serverOn(dataDir: string, key: string = rootKey): Promise<ArcaProcess> {
  return spawnArca({ dataDir, credentials, env: { ARCA_ROOT_KEY: key } });
}

before(() => {
  ensureBuilt();
});

after(() => {
  killAllArcas();
  removeDataDirs();
});

describe('arca backup while the server runs under load, then arca restore', () => {
  const sealedBeforeBackup: Sealed[] = [];
  let backupFile: string;
  let backupOutput: string;
  let keysBeforeBackup = 0;
  let sourceDir: string;

  before(async () => {
    sourceDir = newDataDir('arca-backup-source-');
    const source = await serverOn(sourceDir);
    const call = v3Caller({ endpoint: source.endpoint }, { credentials });
    const keyIds: string[] = [];
    for (const spec of ['Aliyun_AES_256', 'Aliyun_SM4', 'Aliyun_AES_256']) {
      keyIds.push((await call('CreateKey', { KeySpec: spec })).KeyMetadata.KeyId as string);
    }
    // A second version: the restored server must open older versions' material too.
    await call('CreateKeyVersion', { KeyId: keyIds[0] });
    keysBeforeBackup = keyIds.length;

    // The load: encryptions (each remembered with the instant its answer arrived) and new keys.
    let loading = true;
    const sealed: Array<Sealed & { readonly answeredAt: number }> = [];
    const worker = async (index: number): Promise<void> => {
      for (let round = 0; loading; round += 1) {
        if (round % 10 === 9) {
          await call('CreateKey', {});
          continue;
        }
        const keyId = keyIds[(index + round) % keyIds.length] as string;
        const plaintext = randomBytes(24).toString('base64');
        const { CiphertextBlob } = await call('Encrypt', { KeyId: keyId, Plaintext: plaintext });
        sealed.push({ plaintext, blob: CiphertextBlob as string, answeredAt: Date.now() });
      }
    };
    const load = Array.from({ length: LOAD_WORKERS }, (_, index) => worker(index));
    while (sealed.length < ENCRYPTIONS_BEFORE_BACKUP) await new Promise((resolve) => setTimeout(resolve, 20));

    backupFile = join(newDataDir('arca-backup-out-'), 'arca.backup');
    const backupStartedAt = Date.now();
    const backup = await runCli(['backup', '--data-dir', source.dataDir, '--out', backupFile]);
    assert.equal(backup.code, 0, backup.stderr);
    backupOutput = backup.text;
    // More load after the backup, then stop.
    await new Promise((resolve) => setTimeout(resolve, 300));
    loading = false;
    await Promise.all(load);
    await source.stop();

    for (const entry of sealed) if (entry.answeredAt < backupStartedAt) sealedBeforeBackup.push(entry);
    assert.ok(sealedBeforeBackup.length >= ENCRYPTIONS_BEFORE_BACKUP, `only ${sealedBeforeBackup.length} encryptions before the backup`);
    assert.ok(sealed.length > sealedBeforeBackup.length, 'no encryption ran while or after the backup was taken');
  });

  it('the backup file is private, starts with its manifest, and holds no root key', () => {
    assert.equal(statSync(backupFile).mode & 0o777, 0o600);
    const bytes = readFileSync(backupFile);
    const [magic, manifestLine] = bytes.subarray(0, 4096).toString('utf8').split('\n');
    assert.equal(magic, 'arca-backup 1');
    const manifest = JSON.parse(manifestLine ?? '') as Record<string, unknown>;
    assert.equal(manifest.format, 'arca-backup');
    assert.ok((manifest.keys as number) >= keysBeforeBackup);
    assert.ok((manifest.keyVersions as number) > (manifest.keys as number) - 1);
    assert.match(String(manifest.databaseSha256), /^[0-9a-f]{64}$/);
    assert.ok(typeof manifest.lastChange === 'string');
    assert.match(backupOutput, new RegExp(`${String(manifest.keys)} keys`));
    const raw = Buffer.from(rootKey, 'base64');
    assert.equal(bytes.includes(raw), false, 'the raw root key is in the backup');
    assert.equal(bytes.includes(Buffer.from(rootKey)), false, 'the base64 root key is in the backup');
    assert.equal(bytes.includes(Buffer.from(raw.toString('hex'))), false, 'the hex root key is in the backup');
  });

  it('a server on the restored directory with the same root key decrypts every ciphertext made before the backup', async (t) => {
    const restoredDir = join(newDataDir('arca-restored-parent-'), 'data');
    const restore = await runCli(['restore', '--from', backupFile, '--data-dir', restoredDir]);
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(restore.text, /restored .* keys/);
    assert.equal(statSync(restoredDir).mode & 0o777, 0o700);
    const restored = await serverOn(restoredDir);
    try {
      const call = v3Caller({ endpoint: restored.endpoint }, { credentials });
      for (const { plaintext, blob } of sealedBeforeBackup) {
        const answer = await call('Decrypt', { CiphertextBlob: blob });
        assert.equal(answer.Plaintext, plaintext);
      }
      t.diagnostic(`${sealedBeforeBackup.length} ciphertexts made before the backup decrypted after the restore`);
    } finally {
      await restored.stop();
    }
  });

  it('a server on the restored directory with another root key refuses to start, saying so', () => {
    const restoredDir = join(newDataDir('arca-restored-wrong-'), 'data');
    const restore = spawnSync(process.execPath, [CLI, 'restore', '--from', backupFile, '--data-dir', restoredDir], {
      cwd: ROOT,
      env: childEnvironment({}),
      encoding: 'utf8',
    });
    assert.equal(restore.status, 0, restore.stderr);
    const start = spawnSync(process.execPath, [CLI, 'server', '--port', '0', '--data-dir', restoredDir], {
      cwd: ROOT,
      env: childEnvironment({ ARCA_ROOT_KEY: randomBytes(32).toString('base64') }),
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(start.status, 1);
    assert.match(start.stderr, /^arca: the root key does not match this data directory/m);
    assert.match(start.stderr, /root key of the server it was taken from/);
    assert.doesNotMatch(start.stderr, /\n\s+at /, 'a stack trace');
  });

  it('restore refuses a directory that is not empty, and leaves it as it was', async () => {
    const occupied = newDataDir('arca-restore-occupied-');
    writeFileSync(join(occupied, 'notes.txt'), 'mine');
    const restore = await runCli(['restore', '--from', backupFile, '--data-dir', occupied]);
    assert.equal(restore.code, 1);
    assert.match(restore.stderr, /is not empty/);
    assert.equal(readFileSync(join(occupied, 'notes.txt'), 'utf8'), 'mine');
  });

  it('restore refuses a damaged backup and creates no data directory', async () => {
    const damaged = join(newDataDir('arca-backup-damaged-'), 'damaged.backup');
    const bytes = Buffer.from(readFileSync(backupFile));
    const index = bytes.length - 100;
    bytes[index] = (bytes[index] ?? 0) ^ 0x01;
    writeFileSync(damaged, bytes);
    const target = join(newDataDir('arca-restore-damaged-'), 'data');
    const restore = await runCli(['restore', '--from', damaged, '--data-dir', target]);
    assert.equal(restore.code, 1);
    assert.match(restore.stderr, /is damaged: its database does not match the manifest's checksum/);
    assert.equal(statSync(target, { throwIfNoEntry: false }), undefined);
  });

  it('restore refuses a file that is not a backup, and backup refuses an existing --out', async () => {
    const notBackup = join(newDataDir('arca-not-backup-'), 'file');
    writeFileSync(notBackup, 'SQLite format 3\0');
    const restore = await runCli(['restore', '--from', notBackup, '--data-dir', join(newDataDir('arca-restore-nb-'), 'data')]);
    assert.equal(restore.code, 1);
    assert.match(restore.stderr, /is not an Arca backup/);
    const empty = join(newDataDir('arca-backup-empty-'), 'd');
    mkdirSync(empty);
    const nothing = await runCli(['backup', '--data-dir', empty, '--out', join(empty, 'out.backup')]);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /holds no Arca database/);
    const before = readFileSync(backupFile);
    const existing = await runCli(['backup', '--data-dir', sourceDir, '--out', backupFile]);
    assert.equal(existing.code, 1);
    assert.match(existing.stderr, /exists; choose a new file/);
    assert.deepEqual(readFileSync(backupFile), before);
  });
});
