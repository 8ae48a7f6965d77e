import type { Command } from 'commander';
import { type ClientOptions, runWithClient, withClientOptions, withExample } from '../client/client-command.js';
import { OutputFormat, writeJson, writeRecord, writeTable } from '../client/output.js';
import { listAt, valueAt } from '../../client/kms-client.js';
import { cell, writeDone } from './key.js';
import { allMarkedPages, cellsOf, policyTypeOf, ram } from './ram-call.js';

const USER_FIELDS = ['UserName', 'UserId', 'DisplayName', 'Email', 'MobilePhone', 'Comments', 'CreateDate', 'UpdateDate'] as const;

interface UserTextOptions extends ClientOptions {
  readonly displayName?: string;
  readonly email?: string;
  readonly mobilePhone?: string;
  readonly comments?: string;
}

function writeUser(output: string, body: Readonly<Record<string, unknown>>): void {
  if (output === OutputFormat.Json) {
    writeJson(process.stdout, body);
    return;
  }
  const user = (valueAt(body, 'User') ?? {}) as Readonly<Record<string, unknown>>;
  writeRecord(
    process.stdout,
    USER_FIELDS.map((field) => [field, cell(user[field])] as const),
  );
}

/** `arca user …`: RAM users, their groups and their policies, over the RAM API (2015-05-01). */
export function registerUserCommands(program: Command): void {
  const user = withExample(program.command('user').description('RAM users, their groups and policies'), 'arca user create app');

  const create = user
    .command('create')
    .description('create a RAM user')
    .argument('<name>', 'user name: letters, digits, . _ -, up to 64')
    .option('--display-name <text>', 'display name (default: the user name)')
    .option('--email <address>', 'email address')
    .option('--mobile-phone <number>', 'mobile phone, <country code>-<number>')
    .option('--comments <text>', 'comments');
  withExample(withClientOptions(create), 'arca user create app --comments "the payroll service"').action(
    (name: string, options: UserTextOptions) =>
      runWithClient(options, async (client) => {
        const body = await ram(client, 'CreateUser', {
          UserName: name,
          DisplayName: options.displayName,
          Email: options.email,
          MobilePhone: options.mobilePhone,
          Comments: options.comments,
        });
        writeUser(options.output, body);
      }),
  );

  const get = user.command('get').description('show a RAM user').argument('<name>', 'user name');
  withExample(withClientOptions(get), 'arca user get app').action((name: string, options: ClientOptions) =>
    runWithClient(options, async (client) => writeUser(options.output, await ram(client, 'GetUser', { UserName: name }))),
  );

  const update = user
    .command('update')
    .description('rename a RAM user or change its details; its access keys keep working under the new name')
    .argument('<name>', 'user name')
    .option('--new-name <name>', 'new user name')
    .option('--display-name <text>', 'new display name')
    .option('--email <address>', 'new email address')
    .option('--mobile-phone <number>', 'new mobile phone')
    .option('--comments <text>', 'new comments');
  withExample(withClientOptions(update), 'arca user update app --new-name payroll').action(
    (name: string, options: UserTextOptions & { readonly newName?: string }) =>
      runWithClient(options, async (client) => {
        const body = await ram(client, 'UpdateUser', {
          UserName: name,
          NewUserName: options.newName,
          NewDisplayName: options.displayName,
          NewEmail: options.email,
          NewMobilePhone: options.mobilePhone,
          NewComments: options.comments,
        });
        writeUser(options.output, body);
      }),
  );

  const list = user.command('list').description('list RAM users');
  withExample(withClientOptions(list), 'arca user list', 'arca user list --output json').action((options: ClientOptions) =>
    runWithClient(options, async (client) => {
      const users = await allMarkedPages(client, 'ListUsers', {}, 'Users.User');
      if (options.output === OutputFormat.Json) {
        writeJson(process.stdout, { Users: { User: users } });
        return;
      }
      writeTable(
        process.stdout,
        ['UserName', 'UserId', 'DisplayName', 'CreateDate'],
        users.map((entry) => cellsOf(entry, ['UserName', 'UserId', 'DisplayName', 'CreateDate'])),
      );
    }),
  );

  const remove = user
    .command('delete')
    .description('delete a RAM user (refused while it has access keys, policies or groups)')
    .argument('<name>', 'user name');
  withExample(withClientOptions(remove), 'arca user delete app').action((name: string, options: ClientOptions) =>
    runWithClient(options, async (client) => {
      writeDone(options.output, await ram(client, 'DeleteUser', { UserName: name }), `deleted user ${name}`);
    }),
  );

  const attach = user
    .command('attach-policy')
    .description('attach a policy to a RAM user')
    .argument('<name>', 'user name')
    .argument('<policy>', 'policy name')
    .option('--system', 'a system policy (AliyunKMSFullAccess …); custom otherwise');
  withExample(
    withClientOptions(attach),
    'arca user attach-policy app EncryptPayroll',
    'arca user attach-policy ops AliyunKMSFullAccess --system',
  ).action((name: string, policy: string, options: ClientOptions & { readonly system?: boolean }) =>
    runWithClient(options, async (client) => {
      const body = await ram(client, 'AttachPolicyToUser', { UserName: name, PolicyName: policy, PolicyType: policyTypeOf(options) });
      writeDone(options.output, body, `attached ${policy} to user ${name}`);
    }),
  );

  const detach = user
    .command('detach-policy')
    .description('detach a policy from a RAM user: out of force from its next request')
    .argument('<name>', 'user name')
    .argument('<policy>', 'policy name')
    .option('--system', 'a system policy; custom otherwise');
  withExample(withClientOptions(detach), 'arca user detach-policy app EncryptPayroll').action(
    (name: string, policy: string, options: ClientOptions & { readonly system?: boolean }) =>
      runWithClient(options, async (client) => {
        const body = await ram(client, 'DetachPolicyFromUser', { UserName: name, PolicyName: policy, PolicyType: policyTypeOf(options) });
        writeDone(options.output, body, `detached ${policy} from user ${name}`);
      }),
  );

  const policies = user.command('policies').description('list the policies attached to a RAM user').argument('<name>', 'user name');
  withExample(withClientOptions(policies), 'arca user policies app').action((name: string, options: ClientOptions) =>
    runWithClient(options, async (client) => {
      const body = await ram(client, 'ListPoliciesForUser', { UserName: name });
      if (options.output === OutputFormat.Json) {
        writeJson(process.stdout, body);
        return;
      }
      const fields = ['PolicyName', 'PolicyType', 'DefaultVersion', 'AttachDate'];
      writeTable(
        process.stdout,
        fields,
        listAt(body, 'Policies.Policy').map((entry) => cellsOf(entry, fields)),
      );
    }),
  );

  const join = user
    .command('add-to-group')
    .description('add a RAM user to a group')
    .argument('<name>', 'user name')
    .argument('<group>', 'group name');
  withExample(withClientOptions(join), 'arca user add-to-group app payroll-apps').action(
    (name: string, group: string, options: ClientOptions) =>
      runWithClient(options, async (client) => {
        writeDone(
          options.output,
          await ram(client, 'AddUserToGroup', { UserName: name, GroupName: group }),
          `added user ${name} to ${group}`,
        );
      }),
  );

  const leave = user
    .command('remove-from-group')
    .description('remove a RAM user from a group: the group’s policies are out of force from its next request')
    .argument('<name>', 'user name')
    .argument('<group>', 'group name');
  withExample(withClientOptions(leave), 'arca user remove-from-group app payroll-apps').action(
    (name: string, group: string, options: ClientOptions) =>
      runWithClient(options, async (client) => {
        const body = await ram(client, 'RemoveUserFromGroup', { UserName: name, GroupName: group });
        writeDone(options.output, body, `removed user ${name} from ${group}`);
      }),
  );

  const groups = user.command('groups').description('list the groups of a RAM user').argument('<name>', 'user name');
  withExample(withClientOptions(groups), 'arca user groups app').action((name: string, options: ClientOptions) =>
    runWithClient(options, async (client) => {
      const body = await ram(client, 'ListGroupsForUser', { UserName: name });
      if (options.output === OutputFormat.Json) {
        writeJson(process.stdout, body);
        return;
      }
      const fields = ['GroupName', 'GroupId', 'JoinDate'];
      writeTable(
        process.stdout,
        fields,
        listAt(body, 'Groups.Group').map((entry) => cellsOf(entry, fields)),
      );
    }),
  );
}
