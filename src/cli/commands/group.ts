import type { Command } from 'commander';
import { type ClientOptions, runWithClient, withClientOptions, withExample } from '../client/client-command.js';
import { OutputFormat, writeJson, writeRecord } from '../client/output.js';
import { valueAt } from '../../client/kms-client.js';
import { cell, writeDone } from './key.js';
import { policyTypeOf, ram } from './ram-call.js';

/** `arca group …`: RAM groups and their policies (members: `arca user add-to-group`). */
export function registerGroupCommands(program: Command): void {
  const group = withExample(program.command('group').description('RAM groups and their policies'), 'arca group create payroll-apps');

  const create = group
    .command('create')
    .description('create a RAM group')
    .argument('<name>', 'group name')
    .option('--comments <text>', 'comments');
  withExample(withClientOptions(create), 'arca group create payroll-apps').action(
    (name: string, options: ClientOptions & { readonly comments?: string }) =>
      runWithClient(options, async (client) => {
        const body = await ram(client, 'CreateGroup', { GroupName: name, Comments: options.comments });
        if (options.output === OutputFormat.Json) {
          writeJson(process.stdout, body);
          return;
        }
        const created = (valueAt(body, 'Group') ?? {}) as Readonly<Record<string, unknown>>;
        writeRecord(
          process.stdout,
          ['GroupName', 'GroupId', 'Comments', 'CreateDate'].map((field) => [field, cell(created[field])] as const),
        );
      }),
  );

  for (const [verb, action, preposition] of [
    ['attach-policy', 'AttachPolicyToGroup', 'to'],
    ['detach-policy', 'DetachPolicyFromGroup', 'from'],
  ] as const) {
    const command = group
      .command(verb)
      .description(`${verb === 'attach-policy' ? 'attach a policy to' : 'detach a policy from'} a RAM group`)
      .argument('<name>', 'group name')
      .argument('<policy>', 'policy name')
      .option('--system', 'a system policy; custom otherwise');
    withExample(withClientOptions(command), `arca group ${verb} payroll-apps EncryptPayroll`).action(
      (name: string, policy: string, options: ClientOptions & { readonly system?: boolean }) =>
        runWithClient(options, async (client) => {
          const body = await ram(client, action, { GroupName: name, PolicyName: policy, PolicyType: policyTypeOf(options) });
          writeDone(options.output, body, `${verb === 'attach-policy' ? 'attached' : 'detached'} ${policy} ${preposition} group ${name}`);
        }),
    );
  }
}
