import type { EventReadWrite } from '../domain/audit-event.js';

/**
 * The actions that change nothing Arca holds: their event is ActionTrail's `Read`. Every other
 * action is a `Write`, so an action added without a line here is treated as one, and the trail
 * records its intent before it takes effect (docs/adr/0028): the safe side to err on.
 * GetParametersForImport is a Write: with an HSM it makes a key pair in the device.
 */
const READ_ACTIONS: ReadonlySet<string> = new Set([
  'Encrypt',
  'Decrypt',
  'ReEncrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ExportDataKey',
  'GenerateAndExportDataKey',
  'GetRandomPassword',
  'DescribeKey',
  'DescribeKeyVersion',
  'DescribeRegions',
  'DescribeService',
  'DescribeAccountKmsStatus',
  'ListKeys',
  'ListKeyVersions',
  'ListAliases',
  'ListAliasesByKeyId',
  'ListResourceTags',
  'ListAuditEvents',
]);

export function eventReadWrite(action: string | undefined): EventReadWrite {
  return action !== undefined && READ_ACTIONS.has(action) ? 'Read' : 'Write';
}
