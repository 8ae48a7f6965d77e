import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { withExample } from '../client/client-command.js';

interface CreateOptions {
  readonly out: string;
  readonly passphrase?: boolean;
}

interface ProtectOptions {
  readonly in: string;
  readonly out: string;
}

const PASSPHRASE_SOURCES = 'ARCA_ROOT_KEY_PASSPHRASE_FILE (a private file holding it) or a terminal to be asked on';

/** `arca root-key …`: root key files, made and changed on the server's host; nothing here talks to a server. */
export function registerRootKeyCommands(program: Command): void {
  const rootKey = program.command('root-key').description('make and protect root key files (see the README: root-key choices)');
  withExample(
    rootKey
      .command('create')
      .description('write a new root key file (mode 0600): plain, or protected by a passphrase')
      .requiredOption('--out <file>', 'the file to create (must not exist); keep it out of the data directory')
      .option('--passphrase', `protect it with a passphrase, from ${PASSPHRASE_SOURCES}`),
    'arca root-key create --out /etc/arca/root.key',
    'ARCA_ROOT_KEY_PASSPHRASE_FILE=/run/secrets/arca-passphrase arca root-key create --passphrase --out /etc/arca/root.key',
  ).action(async (options: CreateOptions) => {
    const { SecretBytes } = await import('../../crypto/secret-bytes.js');
    const { writeNewPrivateFile } = await import('../../protection/root-key.js');
    refuseExisting(options.out);
    const key = SecretBytes.random(32);
    try {
      const text = options.passphrase === true ? await sealed(key, await newPassphrase()) : `${key.unsafeReveal().toString('base64')}\n`;
      writeNewPrivateFile(options.out, text);
    } finally {
      key.wipe();
    }
    process.stdout.write(
      `created ${options.out}${options.passphrase === true ? ' (passphrase-protected)' : ''}: start arca with --root-key-file ${options.out}\n`,
    );
  });
  registerRotateCommand(rootKey);
  withExample(
    rootKey
      .command('protect')
      .description('write a passphrase-protected copy of a plain root key file (the same key)')
      .requiredOption('--in <file>', 'the plain root key file')
      .requiredOption('--out <file>', 'the protected file to create (must not exist)'),
    'arca root-key protect --in data.root.key --out /etc/arca/root.key && shred -u data.root.key',
  ).action(async (options: ProtectOptions) => {
    const { readFileSync } = await import('node:fs');
    const { assertPrivateFile } = await import('../../protection/root-key-file.js');
    const { isPassphraseSealed } = await import('../../protection/passphrase-sealed-key.js');
    const { SecretBytes } = await import('../../crypto/secret-bytes.js');
    const { writeNewPrivateFile } = await import('../../protection/root-key.js');
    refuseExisting(options.out);
    assertPrivateFile(options.in);
    const text = readFileSync(options.in, 'utf8');
    if (isPassphraseSealed(text)) throw new Error(`${options.in} is protected by a passphrase already`);
    const bytes = Buffer.from(text.trim(), 'base64');
    if (bytes.length !== 32 || bytes.toString('base64') !== text.trim()) throw new Error(`${options.in} is not a plain root key file`);
    const key = SecretBytes.adopt(bytes);
    try {
      writeNewPrivateFile(options.out, await sealed(key, await newPassphrase()));
    } finally {
      key.wipe();
    }
    process.stdout.write(
      `created ${options.out} (passphrase-protected, the key of ${options.in}); remove ${options.in} once the server starts with it\n`,
    );
  });
}

function refuseExisting(path: string): void {
  if (existsSync(path)) throw new Error(`${path} exists; choose a new file (a root key file is never overwritten)`);
}

interface RotateOptions {
  readonly dataDir: string;
  readonly rootKeyFile: string;
  readonly previousRootKeyFile: string;
}

function registerRotateCommand(rootKey: Command): void {
  withExample(
    rootKey
      .command('rotate')
      .description('seal every stored secret again under a new root key, while a server runs with both (resumable)')
      .requiredOption('--data-dir <dir>', 'the data directory')
      .requiredOption('--root-key-file <file>', 'the new root key file (arca root-key create)')
      .requiredOption('--previous-root-key-file <file>', 'the root key file being replaced'),
    '# 1. arca root-key create --out /etc/arca/root-2.key',
    '# 2. restart the server with --root-key-file /etc/arca/root-2.key --previous-root-key-file /etc/arca/root.key',
    'arca root-key rotate --data-dir /var/lib/arca --root-key-file /etc/arca/root-2.key --previous-root-key-file /etc/arca/root.key',
    '# 4. restart the server with --root-key-file /etc/arca/root-2.key alone',
  ).action(async (options: RotateOptions) => {
    const { readRootKeyFile } = await import('../../protection/root-key-file.js');
    const { RootKeyPair } = await import('../../protection/root-key-pair.js');
    const { rotateRootKey } = await import('../../bootstrap/rotate-root-key.js');
    const passphrase = await passphraseForFiles();
    const pair = new RootKeyPair(
      await readRootKeyFile(options.rootKeyFile, passphrase),
      await readRootKeyFile(options.previousRootKeyFile, passphrase),
    );
    const report = await rotateRootKey(options.dataDir, pair);
    process.stdout.write(
      `sealed ${report.resealed} stored secrets again under ${options.rootKeyFile}; ` +
        `${report.alreadyCurrent} were sealed under it already; ${report.changedMeanwhile} changed meanwhile\n`,
    );
    if (report.changedMeanwhile > 0) {
      process.stderr.write('arca: some secrets changed while they were sealed again: run arca root-key rotate again\n');
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`done: restart the server with --root-key-file ${options.rootKeyFile} and without --previous-root-key-file\n`);
  });
}

/** The passphrase of protected key files: ARCA_ROOT_KEY_PASSPHRASE_FILE, else asked per file on the terminal. */
async function passphraseForFiles(): Promise<(path: string) => Promise<string>> {
  const file = process.env.ARCA_ROOT_KEY_PASSPHRASE_FILE;
  const { readSecretFile } = await import('../../bootstrap/root-key-source.js');
  const { terminalPassphrasePrompt } = await import('./terminal-prompt.js');
  const ask = terminalPassphrasePrompt();
  return (path) => {
    if (file !== undefined && file !== '') return Promise.resolve(readSecretFile(file, 'the root key passphrase'));
    if (ask !== undefined) return ask(`passphrase for the root key ${path}: `);
    return Promise.reject(new Error(`${path} is protected by a passphrase: it comes from ${PASSPHRASE_SOURCES}`));
  };
}

async function sealed(key: import('../../crypto/secret-bytes.js').SecretBytes, passphrase: string): Promise<string> {
  const { sealRootKey } = await import('../../protection/passphrase-sealed-key.js');
  return sealRootKey(key, passphrase);
}

/** A new passphrase: from ARCA_ROOT_KEY_PASSPHRASE_FILE, else asked twice on the terminal. */
async function newPassphrase(): Promise<string> {
  const file = process.env.ARCA_ROOT_KEY_PASSPHRASE_FILE;
  if (file !== undefined && file !== '') {
    const { readSecretFile } = await import('../../bootstrap/root-key-source.js');
    return readSecretFile(file, 'the root key passphrase');
  }
  const { terminalPassphrasePrompt } = await import('./terminal-prompt.js');
  const ask = terminalPassphrasePrompt();
  if (ask === undefined) throw new Error(`a passphrase comes from ${PASSPHRASE_SOURCES}`);
  const first = await ask('new root key passphrase: ');
  const second = await ask('the same passphrase again: ');
  if (first !== second) throw new Error('the two passphrases differ');
  return first;
}
