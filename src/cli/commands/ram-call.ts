import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { type CallParams, type KmsClient, listAt, RAM_API_VERSION, type ResponseBody, valueAt } from '../../client/kms-client.js';
import { cell } from './key.js';

/** One RAM action (Version 2015-05-01) on the endpoint the client talks to. */
export function ram(client: KmsClient, action: string, params: CallParams = {}): Promise<ResponseBody> {
  return client.call(action, params, RAM_API_VERSION);
}

/** Every item of a RAM list that pages with Marker and IsTruncated (ListUsers, ListPolicies). */
export async function allMarkedPages(
  client: KmsClient,
  action: string,
  params: CallParams,
  listPath: string,
): Promise<Array<Readonly<Record<string, unknown>>>> {
  const items: Array<Readonly<Record<string, unknown>>> = [];
  let marker: string | undefined;
  for (;;) {
    const body = await ram(client, action, { ...params, MaxItems: 100, Marker: marker });
    items.push(...listAt(body, listPath));
    const next = valueAt(body, 'Marker');
    if (valueAt(body, 'IsTruncated') !== true || typeof next !== 'string') return items;
    marker = next;
  }
}

/** A policy document from a file, or `-` for standard input; RAM's own limit (6144) answers beyond. */
export async function readPolicyDocument(path: string): Promise<string> {
  const bytes = path === '-' ? await readStdin() : await readFile(path);
  if (bytes.length > 64 * 1024) throw new InvalidArgumentError('--document: more than 64 KiB');
  return bytes.toString('utf8');
}

async function readStdin(): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of process.stdin) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** `System` or `Custom` from `--system`. */
export function policyTypeOf(options: { readonly system?: boolean }): string {
  return options.system === true ? 'System' : 'Custom';
}

/** The named fields of a record, as table cells. */
export function cellsOf(record: Readonly<Record<string, unknown>>, fields: readonly string[]): string[] {
  return fields.map((field) => cell(record[field]));
}
