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
