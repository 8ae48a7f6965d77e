import { type Command, InvalidArgumentError, Option } from 'commander';
import { type KmsClient, listAt, type ResponseBody, stringAt, valueAt } from '../../client/kms-client.js';
import { type ClientOptions, runWithClient, withClientOptions, withExample } from '../client/client-command.js';
import { OutputFormat, writeJson, writeRecord, writeTable } from '../client/output.js';

const PAGE_SIZE = 100;

/** `arca key …`: the key life cycle. */
export function registerKeyCommands(program: Command): void {
  const key = withExample(
    program.command('key').description('create, inspect and manage master keys'),
    'arca key create --description "backups"',
    'arca key list --output json',
  );
  registerCreate(key);
  registerDescribe(key);
  registerList(key);
  registerStateChange(key, 'enable', 'EnableKey', 'enable a disabled key', 'enabled');
  registerStateChange(key, 'disable', 'DisableKey', 'disable a key: it stops encrypting and decrypting', 'disabled');
  registerScheduleDeletion(key);
  registerStateChange(
    key,
    'cancel-deletion',
    'CancelKeyDeletion',
    'cancel a scheduled deletion (the key becomes Enabled)',
    'deletion cancelled for',
  );
  registerRotate(key);
  registerVersions(key);
}

interface CreateOptions extends ClientOptions {
  readonly keySpec: string;
  readonly description?: string;
  readonly rotationInterval?: string;
  readonly tag?: Array<[string, string]>;
  readonly alias?: string;
}

function registerCreate(key: Command): void {
  const command = key
    .command('create')
    .description('create a master key')
    .addOption(new Option('--key-spec <spec>', 'key spec').choices(['Aliyun_AES_256', 'Aliyun_SM4']).default('Aliyun_AES_256'))
    .option('--description <text>', 'description')
    .option('--rotation-interval <duration>', 'rotate automatically every <duration> (e.g. 30d)')
    .option('--tag <key=value>', 'tag the key (repeatable)', collectTag)
    .option('--alias <alias>', 'also create this alias for the new key (CreateAlias)');
  withExample(
    withClientOptions(command),
    'arca key create --key-spec Aliyun_SM4 --description "payroll files" --tag team=hr --alias payroll',
  ).action((options: CreateOptions) =>
    runWithClient(options, async (client) => {
      const tags = (options.tag ?? []).map(([tagKey, tagValue]) => ({ TagKey: tagKey, TagValue: tagValue }));
      const body = await client.call('CreateKey', {
        KeySpec: options.keySpec,
        Description: options.description,
        EnableAutomaticRotation: options.rotationInterval === undefined ? undefined : true,
        RotationInterval: options.rotationInterval,
        Tags: tags.length === 0 ? undefined : JSON.stringify(tags),
      });
      if (options.alias !== undefined) {
        await client.call('CreateAlias', { AliasName: withAliasPrefix(options.alias), KeyId: stringAt(body, 'KeyMetadata.KeyId') });
      }
      writeKeyMetadata(options.output, body);
    }),
  );
}

function registerDescribe(key: Command): void {
  const command = key.command('describe').description('show a key').argument('<key>', 'key id, alias or Arn');
  withExample(withClientOptions(command), 'arca key describe alias/payroll --output json').action((keyId: string, options: ClientOptions) =>
    runWithClient(options, async (client) => {
      writeKeyMetadata(options.output, await client.call('DescribeKey', { KeyId: keyId }));
    }),
  );
}

function registerList(key: Command): void {
  const command = key.command('list').description('list every key with its spec, state and description');
  withExample(withClientOptions(command), 'arca key list', 'arca key list --output json').action((options: ClientOptions) =>
    runWithClient(options, async (client) => {
      const keyIds = (await allPages(client, 'ListKeys', {}, 'Keys.Key')).map((entry) => String(entry.KeyId));
      const keys: Array<Readonly<Record<string, unknown>>> = [];
      for (const keyId of keyIds) keys.push(metadataOf(await client.call('DescribeKey', { KeyId: keyId })));
      if (options.output === OutputFormat.Json) {
        writeJson(process.stdout, { Keys: keys, TotalCount: keys.length });
        return;
      }
      writeTable(
        process.stdout,
        ['KeyId', 'KeySpec', 'KeyState', 'CreationDate', 'Description'],
        keys.map((item) => [cell(item.KeyId), cell(item.KeySpec), cell(item.KeyState), cell(item.CreationDate), cell(item.Description)]),
      );
    }),
  );
}

function registerStateChange(key: Command, name: string, action: string, description: string, verb: string): void {
  const command = key.command(name).description(description).argument('<key>', 'key id, alias or Arn');
  withExample(withClientOptions(command), `arca key ${name} alias/payroll`).action((keyId: string, options: ClientOptions) =>
    runWithClient(options, async (client) => {
      const body = await client.call(action, { KeyId: keyId });
      writeDone(options.output, body, `${verb} ${keyId}`);
    }),
  );
}

interface ScheduleDeletionOptions extends ClientOptions {
  readonly pendingWindowDays: number;
}

function registerScheduleDeletion(key: Command): void {
  const command = key
    .command('schedule-deletion')
    .description('schedule a key for deletion after a pending window (7 to 366 days)')
    .argument('<key>', 'key id, alias or Arn')
    .requiredOption('--pending-window-days <days>', 'days before the key is destroyed', wholeNumber);
  withExample(withClientOptions(command), 'arca key schedule-deletion alias/payroll --pending-window-days 30').action(
    (keyId: string, options: ScheduleDeletionOptions) =>
      runWithClient(options, async (client) => {
        const body = await client.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: options.pendingWindowDays });
        writeDone(options.output, body, `deletion of ${keyId} scheduled in ${options.pendingWindowDays} days`);
      }),
  );
}

function registerRotate(key: Command): void {
  const command = key
    .command('rotate')
    .description('add a key version and make it primary (old versions keep decrypting)')
    .argument('<key>', 'key id, alias or Arn');
  withExample(withClientOptions(command), 'arca key rotate alias/payroll').action((keyId: string, options: ClientOptions) =>
    runWithClient(options, async (client) => {
      const body = await client.call('CreateKeyVersion', { KeyId: keyId });
      if (options.output === OutputFormat.Json) {
        writeJson(process.stdout, body);
        return;
      }
      writeRecord(process.stdout, [
        ['KeyId', cell(valueAt(body, 'KeyVersion.KeyId'))],
        ['KeyVersionId', cell(valueAt(body, 'KeyVersion.KeyVersionId'))],
        ['CreationDate', cell(valueAt(body, 'KeyVersion.CreationDate'))],
      ]);
    }),
  );
}

function registerVersions(key: Command): void {
  const command = key.command('versions').description("list a key's versions, oldest first").argument('<key>', 'key id, alias or Arn');
  withExample(withClientOptions(command), 'arca key versions alias/payroll').action((keyId: string, options: ClientOptions) =>
    runWithClient(options, async (client) => {
      const metadata = metadataOf(await client.call('DescribeKey', { KeyId: keyId }));
      const versions = await allPages(client, 'ListKeyVersions', { KeyId: String(metadata.KeyId) }, 'KeyVersions.KeyVersion');
      if (options.output === OutputFormat.Json) {
        writeJson(process.stdout, { KeyVersions: versions, PrimaryKeyVersion: metadata.PrimaryKeyVersion, TotalCount: versions.length });
        return;
      }
      writeTable(
        process.stdout,
        ['KeyVersionId', 'CreationDate', 'Primary'],
        versions.map((version) => [
          cell(version.KeyVersionId),
          cell(version.CreationDate),
          version.KeyVersionId === metadata.PrimaryKeyVersion ? 'yes' : '',
        ]),
      );
    }),
  );
}

/** Every item of a paged list action, PageSize 100, until TotalCount items have come. */
export async function allPages(
  client: KmsClient,
  action: string,
  params: Readonly<Record<string, string>>,
  listPath: string,
): Promise<Array<Readonly<Record<string, unknown>>>> {
  const items: Array<Readonly<Record<string, unknown>>> = [];
  for (let pageNumber = 1; ; pageNumber++) {
    const body = await client.call(action, { ...params, PageNumber: pageNumber, PageSize: PAGE_SIZE });
    const page = listAt(body, listPath);
    items.push(...page);
    const total = Number(valueAt(body, 'TotalCount'));
    if (page.length === 0 || !(items.length < total)) return items;
  }
}

function metadataOf(body: ResponseBody): Readonly<Record<string, unknown>> {
  stringAt(body, 'KeyMetadata.KeyId'); // throws when the response has no KeyMetadata
  return body.KeyMetadata as Readonly<Record<string, unknown>>;
}

function writeKeyMetadata(output: string, body: ResponseBody): void {
  if (output === OutputFormat.Json) {
    writeJson(process.stdout, body);
    return;
  }
  const metadata = metadataOf(body);
  const order = [
    'KeyId',
    'Arn',
    'KeySpec',
    'KeyState',
    'Description',
    'CreationDate',
    'PrimaryKeyVersion',
    'ProtectionLevel',
    'Origin',
    'KeyUsage',
    'AutomaticRotation',
    'RotationInterval',
    'LastRotationDate',
    'NextRotationDate',
    'DeletionProtection',
    'DeleteDate',
  ];
  writeRecord(
    process.stdout,
    order.filter((field) => Object.hasOwn(metadata, field)).map((field) => [field, cell(metadata[field])] as const),
  );
}

/** For actions that answer only a RequestId: the body as JSON, or one sentence. */
export function writeDone(output: string, body: ResponseBody, sentence: string): void {
  if (output === OutputFormat.Json) writeJson(process.stdout, body);
  else process.stdout.write(`${sentence}\n`);
}

export function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `payroll` → `alias/payroll`; a name with the prefix stays as it is. */
export function withAliasPrefix(aliasName: string): string {
  return aliasName.startsWith('alias/') ? aliasName : `alias/${aliasName}`;
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('a whole number of days');
  return Number(value);
}

function collectTag(value: string, previous: Array<[string, string]> | undefined): Array<[string, string]> {
  const equals = value.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError('expected key=value');
  return [...(previous ?? []), [value.slice(0, equals), value.slice(equals + 1)]];
}
