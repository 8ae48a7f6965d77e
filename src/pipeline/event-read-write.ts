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
  'GetKeyPolicy',
  'GenerateRandom',
]);

/** The RAM API's reads: its Get and List actions (`ram:GetUser`, `ram:ListPoliciesForUser`). */
const RAM_READ = /^ram:(Get|List)[A-Z]/;

export function eventReadWrite(action: string | undefined): EventReadWrite {
  if (action === undefined) return 'Write';
  return READ_ACTIONS.has(action) || RAM_READ.test(action) ? 'Read' : 'Write';
}
