import type { Command } from 'commander';
import { withExample } from '../client/client-command.js';

interface CheckOptions {
  readonly withEnvironment?: boolean;
}

/**
 * `arca config check <file>`: the validation `arca server --config <file>` does at start, without
 * starting: exit 0 and one line when the file is sound; otherwise `arca: <key> (<source>): <problem>`
 * and exit 2, as a refused start. Nothing is opened or created: no data directory, no root key.
 */
export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('server configuration files');
  withExample(
    config
      .command('check')
      .description('validate an arca server configuration file (TOML) without starting; exit 0 if sound, 2 if not')
      .argument('<file>', 'the configuration file')
      .option('--with-environment', "also apply this shell's ARCA_* setting variables, as a start here would"),
    'arca config check /etc/arca/arca.toml',
  ).action(async (file: string, options: CheckOptions) => {
    const { loadConfig } = await import('../../config/load-config.js');
    const { countSettingsIn } = await import('../../config/load-config.js');
    loadConfig({ configFile: file, environment: options.withEnvironment === true ? process.env : {}, flags: new Map() });
    const count = countSettingsIn(file);
    process.stdout.write(`${file}: valid (${count} setting${count === 1 ? '' : 's'}; the rest take their defaults)\n`);
  });
}
