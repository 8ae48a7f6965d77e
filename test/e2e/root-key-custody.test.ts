// Where the root key lives (ADR 34), as an operator meets it: the compiled CLI, real servers, real
// files. By default beside the data directory, so a copy of the directory cannot start; a legacy
// root key inside the directory still used, with a warning; --root-key-file anywhere; a
// passphrase-protected file unlocked from ARCA_ROOT_KEY_PASSPHRASE_FILE or on a terminal.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  CLI,
  childEnvironment,
  ensureBuilt,
  killAllArcas,
  LISTENING,
  randomCredentials,
  ROOT,
  spawnArca,
} from '../support/arca-process.js';
import { v3Caller } from '../support/clients.js';
import { newDataDir, removeDataDirs } from '../support/data-dirs.js';

const credentials = randomCredentials('custody');
const PASSPHRASE = 'a passphrase long enough 7f3a';

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** `arca <args>` run to its end. */
function arca(args: readonly string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: childEnvironment({ ARCA_ACCESS_KEY_ID: credentials.accessKeyId, ARCA_ACCESS_KEY_SECRET: credentials.accessKeySecret, ...env }),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `arca server` on `dataDir` that is expected to refuse to start. */
function refusedStart(dataDir: string, args: readonly string[] = [], env: Record<string, string> = {}): string {
  const result = arca(['server', '--port', '0', '--data-dir', dataDir, ...args], env);
  assert.equal(result.status, 1, `exit ${String(result.status)}; stderr: ${result.stderr}`);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'a stack trace');
  return result.stderr;
}

function privateFile(directory: string, name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

/** Encrypts one text on a server, and gives a check that a server decrypts it back. */
async function sealOne(endpoint: string): Promise<(endpoint: string) => Promise<void>> {
  const call = v3Caller({ endpoint }, { credentials });
  const { KeyId } = (await call('CreateKey', {})).KeyMetadata;
  const { CiphertextBlob } = await call('Encrypt', { KeyId, Plaintext: 'kept under the root key' });
  return async (later) => {
    const { Plaintext } = await v3Caller({ endpoint: later }, { credentials })('Decrypt', { CiphertextBlob });
    assert.equal(Plaintext, 'kept under the root key');
  };
}

before(() => {
  ensureBuilt();
});

after(() => {
  killAllArcas();
  removeDataDirs();
});

describe('the default root key file: beside the data directory, not in it', () => {
  let dataDir: string;
  let decryptsOn: (endpoint: string) => Promise<void>;

  before(async () => {
    dataDir = newDataDir('arca-custody-default-');
    const server = await spawnArca({ dataDir, credentials });
    decryptsOn = await sealOne(server.endpoint);
    assert.deepEqual(await server.stop(), { code: 0, signal: null }, server.stderr());
  });

  it('a first start creates <data-dir>.root.key (0600), and nothing key-like in the directory but the audit signing key', () => {
    assert.equal(modeOf(`${dataDir}.root.key`), 0o600);
    // The audit trail's checkpoint signing key (ADR 28) seals nothing: a copy of the directory
    // opens no secret with it. `--audit-key-file` places it elsewhere.
    const allowed = new Set(['admin-access-key.json', 'audit-signing.key', 'audit-signing.pub']);
    assert.deepEqual(
      readdirSync(dataDir).filter((name) => name.includes('key') && !allowed.has(name)),
      [],
    );
  });

  it('a copy of the data directory does not start: its root key did not come along', () => {
    const copy = newDataDir('arca-custody-copy-');
    cpSync(dataDir, copy, { recursive: true });
    const stderr = refusedStart(copy);
    assert.match(
      stderr,
      new RegExp(`^arca: there is no root key file at ${copy}\\.root\\.key, and ${copy} holds data sealed under a root key`, 'm'),
    );
    assert.equal(existsSync(`${copy}.root.key`), false, 'a root key was made up for existing data');
  });

  it('a legacy <data-dir>/root.key is still used, with a warning saying how to move it', async () => {
    const legacy = newDataDir('arca-custody-legacy-');
    cpSync(dataDir, legacy, { recursive: true });
    copyFileSync(`${dataDir}.root.key`, join(legacy, 'root.key'));
    chmodSync(join(legacy, 'root.key'), 0o600);
    const server = await spawnArca({ dataDir: legacy, credentials });
    try {
      await decryptsOn(server.endpoint);
      const warning = server.lines.find((line) => line.includes('"root-key-inside-data-directory"'));
      assert.ok(warning, server.lines.join('\n'));
      assert.match(warning, new RegExp(`mv ${legacy}/root.key ${legacy}.root.key`));
      assert.equal(existsSync(`${legacy}.root.key`), false);
    } finally {
      await server.stop();
    }
    // Moved as the warning says, the same data starts without it.
    renameSync(join(legacy, 'root.key'), `${legacy}.root.key`);
    const moved = await spawnArca({ dataDir: legacy, credentials });
    try {
      await decryptsOn(moved.endpoint);
      assert.ok(!moved.lines.some((line) => line.includes('"root-key-inside-data-directory"')));
    } finally {
      await moved.stop();
    }
    // Both at once: ambiguous, refused.
    copyFileSync(`${legacy}.root.key`, join(legacy, 'root.key'));
    assert.match(refusedStart(legacy), /^arca: two root key files, .*root\.key and .*\.root\.key/m);
  });

  it('a root key file readable by others is refused', () => {
    const loose = newDataDir('arca-custody-loose-');
    cpSync(dataDir, loose, { recursive: true });
    copyFileSync(`${dataDir}.root.key`, `${loose}.root.key`);
    chmodSync(`${loose}.root.key`, 0o644);
    assert.match(refusedStart(loose), /is readable by other users; make it private \(chmod 600\)/);
  });

  it('ARCA_ROOT_KEY and --root-key-file together are refused', () => {
    const stderr = refusedStart(dataDir, ['--root-key-file', `${dataDir}.root.key`], {
      ARCA_ROOT_KEY: readFileSync(`${dataDir}.root.key`, 'utf8').trim(),
    });
    assert.match(stderr, /^arca: choose one root key: ARCA_ROOT_KEY or --root-key-file, not both/m);
  });
});

describe('--root-key-file elsewhere', () => {
  it('creates the key at that path on a first start and opens the data with it after a restart', async () => {
    const dataDir = newDataDir('arca-custody-file-');
    const keyFile = join(newDataDir('arca-custody-keys-'), 'root.key');
    const first = await spawnArca({ dataDir, credentials, args: ['--root-key-file', keyFile] });
    const decryptsOn = await sealOne(first.endpoint);
    await first.stop();
    assert.equal(modeOf(keyFile), 0o600);
    assert.equal(existsSync(`${dataDir}.root.key`), false);
    assert.equal(existsSync(join(dataDir, 'root.key')), false);
    const again = await spawnArca({ dataDir, credentials, env: { ARCA_ROOT_KEY_FILE: keyFile } });
    try {
      await decryptsOn(again.endpoint);
    } finally {
      await again.stop();
    }
  });
});

describe('a root key file that cannot be created', () => {
  it('is refused with the path, the reason and what to do, and no database is created', () => {
    const dataDir = join(newDataDir('arca-custody-uncreatable-'), 'data');
    const stderr = refusedStart(dataDir, ['--root-key-file', '/nonexistent/arca/root.key']);
    assert.match(
      stderr,
      /^arca: cannot create the root key file \/nonexistent\/arca\/root\.key \(ENOENT\): create it beforehand \(arca root-key create --out \/nonexistent\/arca\/root\.key\)/m,
    );
    assert.equal(existsSync(join(dataDir, 'arca.db')), false);
  });
});

describe('a passphrase-protected root key file', () => {
  let secrets: string;
  let keyFile: string;
  let passphraseFile: string;
  let dataDir: string;
  let decryptsOn: (endpoint: string) => Promise<void>;

  before(async () => {
    secrets = newDataDir('arca-custody-secrets-');
    passphraseFile = privateFile(secrets, 'passphrase', `${PASSPHRASE}\n`);
    keyFile = join(secrets, 'root.key');
    const created = arca(['root-key', 'create', '--passphrase', '--out', keyFile], { ARCA_ROOT_KEY_PASSPHRASE_FILE: passphraseFile });
    assert.equal(created.status, 0, created.stderr);
    dataDir = newDataDir('arca-custody-passphrase-');
    const server = await spawnArca({
      dataDir,
      credentials,
      args: ['--root-key-file', keyFile],
      env: { ARCA_ROOT_KEY_PASSPHRASE_FILE: passphraseFile },
    });
    decryptsOn = await sealOne(server.endpoint);
    await server.stop();
  });

  it('arca root-key create --passphrase writes a private file recording its scrypt parameters, not the key', () => {
    assert.equal(modeOf(keyFile), 0o600);
    const document = JSON.parse(readFileSync(keyFile, 'utf8'));
    assert.equal(document.format, 'arca-root-key');
    assert.deepEqual([document.kdf.name, document.kdf.n, document.kdf.r, document.kdf.p], ['scrypt', 131072, 8, 1]);
  });

  it('unlocked from --root-key-passphrase-file, the server opens the data again after a restart', async () => {
    const server = await spawnArca({
      dataDir,
      credentials,
      args: ['--root-key-file', keyFile, '--root-key-passphrase-file', passphraseFile],
    });
    try {
      await decryptsOn(server.endpoint);
    } finally {
      await server.stop();
    }
  });

  it('a wrong passphrase, or none and no terminal, is refused with a clear message', () => {
    const wrong = privateFile(secrets, 'wrong', 'not the passphrase at all\n');
    assert.match(
      refusedStart(dataDir, ['--root-key-file', keyFile], { ARCA_ROOT_KEY_PASSPHRASE_FILE: wrong }),
      new RegExp(`^arca: the passphrase does not open ${keyFile} \\(a wrong passphrase, or the file was changed\\)`, 'm'),
    );
    assert.match(
      refusedStart(dataDir, ['--root-key-file', keyFile]),
      /^arca: .*root\.key is protected by a passphrase: give it in a file \(ARCA_ROOT_KEY_PASSPHRASE_FILE or --root-key-passphrase-file\), or start arca on a terminal/m,
    );
    const loose = join(secrets, 'loose');
    writeFileSync(loose, PASSPHRASE, { mode: 0o644 });
    chmodSync(loose, 0o644);
    assert.match(
      refusedStart(dataDir, ['--root-key-file', keyFile], { ARCA_ROOT_KEY_PASSPHRASE_FILE: loose }),
      /is readable by other users/,
    );
  });

  it('with no passphrase file, the server asks on the terminal without echo', async () => {
    // `script` gives the server a pseudo-terminal; the passphrase is typed once the prompt shows.
    const command = [
      process.execPath,
      CLI,
      'server',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--root-key-file',
      keyFile,
    ]
      .map((word) => `'${word}'`)
      .join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: ROOT,
      env: childEnvironment({ ARCA_ACCESS_KEY_ID: credentials.accessKeyId, ARCA_ACCESS_KEY_SECRET: credentials.accessKeySecret }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let typedAt = -1;
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line; output:\n${output}`)), 30_000);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        if (typedAt === -1 && output.includes('passphrase for the root key')) {
          typedAt = output.length;
          child.stdin.write(`${PASSPHRASE}\r`);
        }
        const match = LISTENING.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.once('exit', () => reject(new Error(`script exited; output:\n${output}`)));
    });
    try {
      assert.match(output, new RegExp(`passphrase for the root key ${keyFile}: `));
      assert.ok(!output.includes(PASSPHRASE), 'the passphrase was echoed');
      await decryptsOn(`127.0.0.1:${port}`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('close', resolve));
    }
  });

  it('arca root-key protect turns a plain root key file into a protected one of the same key', async () => {
    const plainDir = newDataDir('arca-custody-protect-');
    const first = await spawnArca({ dataDir: plainDir, credentials });
    const decryptsPlain = await sealOne(first.endpoint);
    await first.stop();
    const protectedFile = join(secrets, 'protected.key');
    const protect = arca(['root-key', 'protect', '--in', `${plainDir}.root.key`, '--out', protectedFile], {
      ARCA_ROOT_KEY_PASSPHRASE_FILE: passphraseFile,
    });
    assert.equal(protect.status, 0, protect.stderr);
    assert.equal(modeOf(protectedFile), 0o600);
    renameSync(`${plainDir}.root.key`, join(secrets, 'plain-kept-elsewhere.key'));
    const server = await spawnArca({
      dataDir: plainDir,
      credentials,
      args: ['--root-key-file', protectedFile],
      env: { ARCA_ROOT_KEY_PASSPHRASE_FILE: passphraseFile },
    });
    try {
      await decryptsPlain(server.endpoint);
    } finally {
      await server.stop();
    }
    const again = arca(['root-key', 'protect', '--in', protectedFile, '--out', join(secrets, 'twice.key')], {
      ARCA_ROOT_KEY_PASSPHRASE_FILE: passphraseFile,
    });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /is protected by a passphrase already/);
  });

  it('arca root-key create refuses a short passphrase, an existing file, and no passphrase source', () => {
    const short = privateFile(secrets, 'short', 'short\n');
    const refused = arca(['root-key', 'create', '--passphrase', '--out', join(secrets, 'new.key')], {
      ARCA_ROOT_KEY_PASSPHRASE_FILE: short,
    });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /at least 12 characters/);
    assert.equal(existsSync(join(secrets, 'new.key')), false);
    const existing = arca(['root-key', 'create', '--out', keyFile]);
    assert.equal(existing.status, 1);
    assert.match(existing.stderr, /exists; choose a new file/);
    const none = arca(['root-key', 'create', '--passphrase', '--out', join(secrets, 'none.key')]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /a passphrase comes from ARCA_ROOT_KEY_PASSPHRASE_FILE/);
  });
});
