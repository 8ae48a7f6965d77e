import type { AuditedParameter } from '../domain/audit-event.js';
import { encodeContextForAad } from '../domain/encryption-context.js';
import { DigestPurpose } from '../domain/seal-purposes.js';
import { isCanonicalBase64 } from './base64.js';
import type { WireParams } from './wire-params.js';

/**
 * The parameters whose values the audit trail keeps as they are: names, ids, specs, settings.
 * An allow-list, so that a parameter added later is left out until someone decides it is not a
 * secret. Plaintext, EncryptedKeyMaterial, ImportToken, PublicKeyBlob and the signature's
 * parameters are never kept.
 */
const KEPT_AS_GIVEN: ReadonlySet<string> = new Set([
  'Action',
  'Version',
  'Format',
  'RegionId',
  'DryRun',
  'KeyId',
  'KeyVersionId',
  'DestinationKeyId',
  'AliasName',
  'KeySpec',
  'KeyUsage',
  'Origin',
  'ProtectionLevel',
  'Description',
  'NumberOfBytes',
  'PendingWindowInDays',
  'EnableAutomaticRotation',
  'RotationInterval',
  'EnableDeletionProtection',
  'DeletionProtectionDescription',
  'WrappingKeySpec',
  'WrappingAlgorithm',
  'KeyMaterialExpireUnix',
  'Tags',
  'TagKeys',
  'Filters',
  'PageNumber',
  'PageSize',
  'PasswordLength',
  'ExcludeCharacters',
  'RequireEachIncludedType',
  'StartTime',
  'EndTime',
  'EventName',
  'NextToken',
  'MaxResults',
]);

/** Kept as the keyed digest of their canonical form, so equal contexts correlate. */
const CONTEXTS = ['EncryptionContext', 'SourceEncryptionContext', 'DestinationEncryptionContext'] as const;

/**
 * What the trail may keep of a request's parameters (docs/adr/0028): the allowed values, each
 * encryption context and the CiphertextBlob as digest input, nothing else. A context that does
 * not parse is left out (the request fails on it anyway).
 */
export function auditedParameters(parameters: ReadonlyMap<string, string>, params: WireParams): AuditedParameter[] {
  const audited: AuditedParameter[] = [];
  for (const [name, value] of parameters) {
    if (KEPT_AS_GIVEN.has(name)) audited.push({ name, value });
  }
  for (const name of CONTEXTS) {
    const context = contextOrUndefined(params, name);
    if (context) audited.push({ name, digestOf: context, purpose: DigestPurpose.AuditEncryptionContext });
  }
  const blob = params.optional('CiphertextBlob');
  if (blob !== undefined && blob !== '') {
    const bytes = isCanonicalBase64(blob) ? Buffer.from(blob, 'base64') : Buffer.from(blob, 'utf8');
    audited.push({ name: 'CiphertextBlob', digestOf: bytes, purpose: DigestPurpose.AuditCiphertextBlob });
  }
  return audited;
}

function contextOrUndefined(params: WireParams, name: string): Buffer | undefined {
  if (!params.has(name) && !params.hasPrefix(`${name}.`)) return undefined;
  try {
    return encodeContextForAad(params.encryptionContext(name));
  } catch {
    return undefined;
  }
}
