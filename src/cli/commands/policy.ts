import type { Command } from 'commander';
import { type ClientOptions, runWithClient, withClientOptions, withExample } from '../client/client-command.js';
import { OutputFormat, writeJson, writeRecord, writeTable } from '../client/output.js';
import { listAt, valueAt } from '../../client/kms-client.js';
import { cell, writeDone } from './key.js';
import { allMarkedPages, cellsOf, policyTypeOf, ram, readPolicyDocument } from './ram-call.js';

type PolicyOptions = ClientOptions & { readonly system?: boolean };

/** `arca policy …`: RAM policies and their versions (documents as RAM writes them). */
export function registerPolicyCommands(program: Command): void {
  const policy = withExample(
    program.command('policy').description('RAM policies and their versions'),
    'arca policy create EncryptPayroll --document policy.json',
  );

  const create = policy
    .command('create')
    .description('create a custom policy from a RAM policy document')
    .argument('<name>', 'policy name: letters, digits and -, up to 128')
    .requiredOption('--document <path|->', 'the policy document (JSON), a file or - for standard input')
    .option('--description <text>', 'description');
  withExample(
    withClientOptions(create),
    'arca policy create EncryptPayroll --document policy.json --description "payroll encrypts"',
  ).action((name: string, options: ClientOptions & { readonly document: string; readonly description?: string }) =>
    runWithClient(options, async (client) => {
      const document = await readPolicyDocument(options.document);
      const body = await ram(client, 'CreatePolicy', { PolicyName: name, PolicyDocument: document, Description: options.description });
      writeDone(options.output, body, `created policy ${name} (v1)`);
    }),
  );

  const get = policy
    .command('get')
    .description('show a policy and its default document')
    .argument('<name>', 'policy name')
    .option('--system', 'a system policy; custom otherwise');
  withExample(withClientOptions(get), 'arca policy get EncryptPayroll', 'arca policy get AliyunKMSFullAccess --system').action(
    (name: string, options: PolicyOptions) =>
      runWithClient(options, async (client) => {
        const body = await ram(client, 'GetPolicy', { PolicyName: name, PolicyType: policyTypeOf(options) });
        if (options.output === OutputFormat.Json) {
          writeJson(process.stdout, body);
          return;
        }
        const found = (valueAt(body, 'Policy') ?? {}) as Readonly<Record<string, unknown>>;
        writeRecord(
          process.stdout,
          [
            'PolicyName',
            'PolicyType',
            'Description',
            'DefaultVersion',
            'AttachmentCount',
            'CreateDate',
            'UpdateDate',
            'PolicyDocument',
          ].map((field) => [field, cell(found[field])] as const),
        );
      }),
  );

  const list = policy.command('list').description('list system and custom policies').option('--type <type>', 'System or Custom only');
  withExample(withClientOptions(list), 'arca policy list --type Custom').action((options: ClientOptions & { readonly type?: string }) =>
    runWithClient(options, async (client) => {
      const policies = await allMarkedPages(client, 'ListPolicies', { PolicyType: options.type }, 'Policies.Policy');
      if (options.output === OutputFormat.Json) {
        writeJson(process.stdout, { Policies: { Policy: policies } });
        return;
      }
      const fields = ['PolicyName', 'PolicyType', 'DefaultVersion', 'AttachmentCount', 'Description'];
      writeTable(
        process.stdout,
        fields,
        policies.map((entry) => cellsOf(entry, fields)),
      );
    }),
  );

  const remove = policy
    .command('delete')
    .description('delete a custom policy (refused while attached or versioned, unless --cascade)')
    .argument('<name>', 'policy name')
    .option('--cascade', 'detach it and delete its other versions first');
  withExample(withClientOptions(remove), 'arca policy delete EncryptPayroll').action(
    (name: string, options: ClientOptions & { readonly cascade?: boolean }) =>
      runWithClient(options, async (client) => {
        const body = await ram(client, 'DeletePolicy', { PolicyName: name, CascadingDelete: options.cascade === true ? true : undefined });
        writeDone(options.output, body, `deleted policy ${name}`);
      }),
  );

  const version = withExample(
    policy.command('version').description('versions of a custom policy (five at most)'),
    'arca policy version list EncryptPayroll',
  );

  const createVersion = version
    .command('create')
    .description('add a version to a custom policy')
    .argument('<name>', 'policy name')
    .requiredOption('--document <path|->', 'the policy document (JSON), a file or - for standard input')
    .option('--set-default', 'make it the version in force')
    .option('--rotate', 'when the policy has five versions, delete the oldest that is not the default');
  withExample(withClientOptions(createVersion), 'arca policy version create EncryptPayroll --document v2.json --set-default').action(
    (name: string, options: ClientOptions & { readonly document: string; readonly setDefault?: boolean; readonly rotate?: boolean }) =>
      runWithClient(options, async (client) => {
        const document = await readPolicyDocument(options.document);
        const body = await ram(client, 'CreatePolicyVersion', {
          PolicyName: name,
          PolicyDocument: document,
          SetAsDefault: options.setDefault === true,
          RotateStrategy: options.rotate === true ? 'DeleteOldestNonDefaultVersionWhenLimitExceeded' : undefined,
        });
        writeDone(options.output, body, `created ${String(valueAt(body, 'PolicyVersion.VersionId'))} of ${name}`);
      }),
  );

  const listVersions = version
    .command('list')
    .description('list the versions of a policy')
    .argument('<name>', 'policy name')
    .option('--system', 'a system policy; custom otherwise');
  withExample(withClientOptions(listVersions), 'arca policy version list EncryptPayroll').action((name: string, options: PolicyOptions) =>
    runWithClient(options, async (client) => {
      const body = await ram(client, 'ListPolicyVersions', { PolicyName: name, PolicyType: policyTypeOf(options) });
      if (options.output === OutputFormat.Json) {
        writeJson(process.stdout, body);
        return;
      }
      const fields = ['VersionId', 'IsDefaultVersion', 'CreateDate'];
      writeTable(
        process.stdout,
        fields,
        listAt(body, 'PolicyVersions.PolicyVersion').map((entry) => cellsOf(entry, fields)),
      );
    }),
  );

  const deleteVersion = version
    .command('delete')
    .description('delete a version that is not the default')
    .argument('<name>', 'policy name')
    .argument('<version>', 'version id, e.g. v2');
  withExample(withClientOptions(deleteVersion), 'arca policy version delete EncryptPayroll v1').action(
    (name: string, versionId: string, options: ClientOptions) =>
      runWithClient(options, async (client) => {
        const body = await ram(client, 'DeletePolicyVersion', { PolicyName: name, VersionId: versionId });
        writeDone(options.output, body, `deleted ${versionId} of ${name}`);
      }),
  );
}
