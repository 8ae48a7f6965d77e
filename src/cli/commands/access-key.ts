import type { Command } from 'commander';
import { type ClientOptions, runWithClient, withClientOptions, withExample } from '../client/client-command.js';
import { OutputFormat, writeJson, writeRecord, writeTable } from '../client/output.js';
import { listAt, valueAt } from '../../client/kms-client.js';
import { cell, writeDone } from './key.js';
import { cellsOf, ram } from './ram-call.js';

/** `arca access-key …`: a RAM user's access keys (two at most, each Active or Inactive). */
export function registerAccessKeyCommands(program: Command): void {
  const accessKey = withExample(
    program.command('access-key').description('access keys of RAM users: create, list, activate, deactivate, delete'),
    'arca access-key create app',
  );

  const create = accessKey
    .command('create')
    .description('create an access key for a RAM user; the secret is shown this once and never again')
    .argument('<user>', 'user name');
  withExample(withClientOptions(create), 'arca access-key create app --output json > app-key.json').action(
    (user: string, options: ClientOptions) =>
      runWithClient(options, async (client) => {
        const body = await ram(client, 'CreateAccessKey', { UserName: user });
        if (options.output === OutputFormat.Json) {
          writeJson(process.stdout, body);
          return;
        }
        const key = (valueAt(body, 'AccessKey') ?? {}) as Readonly<Record<string, unknown>>;
        writeRecord(
          process.stdout,
          ['AccessKeyId', 'AccessKeySecret', 'Status', 'CreateDate'].map((field) => [field, cell(key[field])] as const),
        );
        process.stderr.write('arca: keep the AccessKeySecret now: it is stored sealed and never shown again\n');
      }),
  );

  const list = accessKey
    .command('list')
    .description('list the access keys of a RAM user (never their secrets)')
    .argument('<user>', 'user name');
  withExample(withClientOptions(list), 'arca access-key list app').action((user: string, options: ClientOptions) =>
    runWithClient(options, async (client) => {
      const body = await ram(client, 'ListAccessKeys', { UserName: user });
      if (options.output === OutputFormat.Json) {
        writeJson(process.stdout, body);
        return;
      }
      const fields = ['AccessKeyId', 'Status', 'CreateDate'];
      writeTable(
        process.stdout,
        fields,
        listAt(body, 'AccessKeys.AccessKey').map((entry) => cellsOf(entry, fields)),
      );
    }),
  );

  for (const [verb, status] of [
    ['activate', 'Active'],
    ['deactivate', 'Inactive'],
  ] as const) {
    const command = accessKey
      .command(verb)
      .description(`set a RAM user's access key ${status}${status === 'Inactive' ? ': refused from its next request on' : ''}`)
      .argument('<user>', 'user name')
      .argument('<access-key-id>', 'the access key id');
    withExample(withClientOptions(command), `arca access-key ${verb} app LTAI…`).action(
      (user: string, accessKeyId: string, options: ClientOptions) =>
        runWithClient(options, async (client) => {
          const body = await ram(client, 'UpdateAccessKey', { UserName: user, UserAccessKeyId: accessKeyId, Status: status });
          writeDone(options.output, body, `${accessKeyId} is ${status}`);
        }),
    );
  }

  const remove = accessKey
    .command('delete')
    .description("delete a RAM user's access key: refused from its next request on")
    .argument('<user>', 'user name')
    .argument('<access-key-id>', 'the access key id');
  withExample(withClientOptions(remove), 'arca access-key delete app LTAI…').action(
    (user: string, accessKeyId: string, options: ClientOptions) =>
      runWithClient(options, async (client) => {
        writeDone(
          options.output,
          await ram(client, 'DeleteAccessKey', { UserName: user, UserAccessKeyId: accessKeyId }),
          `deleted ${accessKeyId}`,
        );
      }),
  );
}
