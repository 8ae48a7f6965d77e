import type { Command } from 'commander';
import { type ClientOptions, runWithClient, withClientOptions, withExample } from '../client/client-command.js';
import { OutputFormat, writeJson, writeTable } from '../client/output.js';
import { allPages, cell, withAliasPrefix as withPrefix, writeDone } from './key.js';

/** `arca alias …`: names for keys. An alias given without the `alias/` prefix gets it. */
export function registerAliasCommands(program: Command): void {
  const alias = withExample(
    program.command('alias').description('name keys with aliases (alias/…)'),
    'arca alias create alias/backups 1234abcd-12ab-34cd-56ef-1234567890ab',
  );

  const create = alias
    .command('create')
    .description('create an alias for a key')
    .argument('<alias>', 'alias name, e.g. alias/payroll')
    .argument('<key>', 'key id or Arn');
  withExample(withClientOptions(create), 'arca alias create alias/payroll 1234abcd-12ab-34cd-56ef-1234567890ab').action(
    (aliasName: string, keyId: string, options: ClientOptions) =>
      runWithClient(options, async (client) => {
        const body = await client.call('CreateAlias', { AliasName: withPrefix(aliasName), KeyId: keyId });
        writeDone(options.output, body, `${withPrefix(aliasName)} -> ${keyId}`);
      }),
  );

  const update = alias
    .command('update')
    .description('point an alias at another key')
    .argument('<alias>', 'alias name')
    .argument('<key>', 'key id or Arn');
  withExample(withClientOptions(update), 'arca alias update alias/payroll 5678abcd-12ab-34cd-56ef-1234567890ab').action(
    (aliasName: string, keyId: string, options: ClientOptions) =>
      runWithClient(options, async (client) => {
        const body = await client.call('UpdateAlias', { AliasName: withPrefix(aliasName), KeyId: keyId });
        writeDone(options.output, body, `${withPrefix(aliasName)} -> ${keyId}`);
      }),
  );

  const remove = alias.command('delete').description('delete an alias (the key stays)').argument('<alias>', 'alias name');
  withExample(withClientOptions(remove), 'arca alias delete alias/payroll').action((aliasName: string, options: ClientOptions) =>
    runWithClient(options, async (client) => {
      const body = await client.call('DeleteAlias', { AliasName: withPrefix(aliasName) });
      writeDone(options.output, body, `deleted ${withPrefix(aliasName)}`);
    }),
  );

  const list = alias
    .command('list')
    .description('list aliases, of every key or of one')
    .option('--key-id <key>', 'only the aliases of this key');
  withExample(withClientOptions(list), 'arca alias list', 'arca alias list --key-id alias/payroll --output json').action(
    (options: ClientOptions & { readonly keyId?: string }) =>
      runWithClient(options, async (client) => {
        const aliases =
          options.keyId === undefined
            ? await allPages(client, 'ListAliases', {}, 'Aliases.Alias')
            : await allPages(client, 'ListAliasesByKeyId', { KeyId: options.keyId }, 'Aliases.Alias');
        if (options.output === OutputFormat.Json) {
          writeJson(process.stdout, { Aliases: aliases, TotalCount: aliases.length });
          return;
        }
        writeTable(
          process.stdout,
          ['AliasName', 'KeyId'],
          aliases.map((entry) => [cell(entry.AliasName), cell(entry.KeyId)]),
        );
      }),
  );
}
