#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { ALL_SETTINGS, type Setting } from '../config/settings.js';
import { USAGE_EXIT_CODE } from './client/client-command.js';
import { guardSecretFlags } from './client/command-line-secrets.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerClientCommands } from './commands/index.js';
import { registerBackupCommands } from './operator/backup.js';
import { registerConfigCommands } from './operator/config-check.js';
import { registerRootKeyCommands } from './operator/root-key.js';

// First, before anything can fail or wait: a secret given as a flag is hidden from `ps` at once.
guardSecretFlags(process.argv.slice(2));

/** A flag of `arca server` for a setting; values are checked by the configuration's validator. */
function optionFor(setting: Setting<unknown>): Option {
  return new Option(
    setting.flag,
    setting.defaultText === undefined ? setting.description : `${setting.description} (default: ${setting.defaultText})`,
  );
}

const SETTING_OPTIONS = ALL_SETTINGS.map((setting) => ({ setting, option: optionFor(setting) }));

/** The flags given, by setting key; commander sets no defaults, so a flag left out is absent. */
function givenFlags(command: Command): Map<string, string> {
  const flags = new Map<string, string>();
  for (const { setting, option } of SETTING_OPTIONS) {
    const value: unknown = command.getOptionValue(option.attributeName());
    if (typeof value === 'string') flags.set(setting.key, value);
    // A `--no-…` flag has a value (true) even when left out; only a given one counts.
    if (typeof value === 'boolean' && command.getOptionValueSource(option.attributeName()) === 'cli') flags.set(setting.key, String(value));
  }
  return flags;
}

/** The release, from the package.json beside dist/ (and beside src/ when run from a checkout). */
function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const version = (manifest as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}

const program = new Command()
  .name('arca')
  .description('Arca: a self-hosted KMS that speaks the Alibaba Cloud KMS API (2016-01-20)')
  .version(packageVersion(), '-V, --version', 'print the version of Arca and exit')
  // Usage mistakes exit with 2 (see the catch below), failures of a command with 1.
  .exitOverride();

const serverCommand = program
  .command('server')
  .description('run the KMS server')
  .option('--config <file>', 'a TOML file of these settings (never secrets); the environment and flags win over it');
for (const { option } of SETTING_OPTIONS) serverCommand.addOption(option);
serverCommand
  .addHelpText(
    'after',
    `
Environment:
  ARCA_ACCESS_KEY_ID, ARCA_ACCESS_KEY_SECRET  an administrator access key that must exist
  ARCA_ROOT_KEY                               base64 of a 32-byte root key (instead of a root key file)
  ARCA_ROOT_KEY_PASSPHRASE_FILE               as --root-key-passphrase-file
  ARCA_PKCS11_PIN                             the PKCS#11 token's user PIN (with --pkcs11-module)
  ARCA_<SETTING>                              every setting, e.g. ARCA_PORT, ARCA_LOG_LEVEL, ARCA_PKCS11_TOKEN_LABEL:
                                              over the file, under the flags

The root key file is <data-dir>.root.key unless --root-key-file says otherwise: beside the data
directory, so that a copy of the directory does not carry the key. A passphrase-protected one
(arca root-key create --passphrase) is unlocked from ARCA_ROOT_KEY_PASSPHRASE_FILE or on the terminal.

Configuration file (--config arca.toml): the flags' names without "--", the --pkcs11-* ones in a
[pkcs11] table; values typed as TOML (port = 8080, job-interval = "60s"). Secrets are never values
in it, only where they are: root-key-file, root-key-passphrase-file, pkcs11.pin-file, root-key-env,
pkcs11.pin-env. Check a file without starting: arca config check arca.toml.

Example:
  arca server --port 0 --data-dir /var/lib/arca
  arca server --config /etc/arca/arca.toml`,
  )
  .action(async (options: { config?: string }, command: Command) => {
    // Loaded here, not at the top: client commands need none of the server.
    const { loadConfig } = await import('../config/load-config.js');
    const config = loadConfig({
      ...(options.config === undefined ? {} : { configFile: options.config }),
      environment: process.env,
      flags: givenFlags(command),
    });
    const { startServer } = await import('../main.js');
    const { startCluster } = await import('../cluster/primary.js');
    const { terminalPassphrasePrompt } = await import('./operator/terminal-prompt.js');
    const askPassphrase = terminalPassphrasePrompt();
    const runtime = { environment: process.env, ...(askPassphrase === undefined ? {} : { askPassphrase }) };
    const server = config.workers > 1 ? await startCluster(config, runtime) : await startServer(config, runtime);
    const stop = (): void => {
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

registerClientCommands(program);
registerBackupCommands(program);
registerRootKeyCommands(program);
registerConfigCommands(program);
registerAuditCommands(program);
program.addHelpText(
  'after',
  `
Example:
  arca server --data-dir ./data
  arca configure --endpoint 127.0.0.1:8080 --admin-key-file data/admin-access-key.json
  arca encrypt-file --key-id alias/backups --in notes.txt --out notes.txt.arca`,
);

program.parseAsync().catch((error: unknown) => {
  // Commander has already printed its message (or the help, whose exit code is 0).
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : USAGE_EXIT_CODE);
  if (error instanceof ConfigError) {
    process.stderr.write(`arca: ${error.message}\n`);
    process.exit(USAGE_EXIT_CODE);
  }
  process.stderr.write(`arca: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
