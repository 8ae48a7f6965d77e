import { aliasArn, keyArn, type ArnScope } from '../domain/arn.js';
import type { Alias, Key } from '../domain/key.js';
import { KeyState } from '../domain/key-state.js';
import type { Page, PageOf } from '../domain/ports.js';
import { formatWireTime } from '../domain/time.js';
import type { WireBody } from './wire-action.js';
import { wireKeySpec, wireKeyState, wireKeyUsage, wireOrigin, wireProtectionLevel } from './wire-values.js';

function automaticRotationOf(key: Key): 'Enabled' | 'Disabled' | 'Suspended' {
  if (!key.automaticRotation) return 'Disabled';
  return key.keyState === KeyState.Enabled ? 'Enabled' : 'Suspended';
}

/**
 * KeyMetadata as CreateKey and DescribeKey return it. Empty strings where Alibaba shows them
 * (DeleteDate, MaterialExpireTime); rotation fields only while automatic rotation is on.
 */
export function keyMetadata(key: Key, scope: ArnScope): WireBody {
  const automaticRotation = automaticRotationOf(key);
  const rotating = automaticRotation !== 'Disabled' && key.rotationIntervalSeconds !== null;
  return {
    Arn: keyArn(scope, key.keyId),
    AutomaticRotation: automaticRotation,
    CreationDate: formatWireTime(key.creationDate),
    Creator: key.creator,
    DeleteDate: key.deleteDate === null ? '' : formatWireTime(key.deleteDate),
    DeletionProtection: key.deletionProtection ? 'Enabled' : 'Disabled',
    DeletionProtectionDescription: key.deletionProtectionDescription,
    Description: key.description,
    KeyId: key.keyId,
    KeySpec: wireKeySpec(key.keySpec),
    KeyState: wireKeyState(key.keyState),
    KeyUsage: wireKeyUsage(key.keyUsage),
    LastRotationDate: formatWireTime(key.lastRotationDate),
    MaterialExpireTime: key.materialExpireTime === null ? '' : formatWireTime(key.materialExpireTime),
    ...(rotating && key.rotationIntervalSeconds !== null
      ? {
          NextRotationDate: formatWireTime(key.lastRotationDate + key.rotationIntervalSeconds * 1000),
          RotationInterval: `${key.rotationIntervalSeconds}s`,
        }
      : {}),
    Origin: wireOrigin(key.origin),
    PrimaryKeyVersion: key.primaryKeyVersionId,
    ProtectionLevel: wireProtectionLevel(key.protectionLevel),
  };
}

/** The paging fields every list response carries. */
export function pageFields(result: PageOf<unknown> & Page): WireBody {
  return { TotalCount: result.totalCount, PageNumber: result.pageNumber, PageSize: result.pageSize };
}

export function aliasesBody(aliases: readonly Alias[], scope: ArnScope): WireBody {
  return {
    Aliases: {
      Alias: aliases.map((alias) => ({
        AliasArn: aliasArn(scope, alias.aliasName),
        AliasName: alias.aliasName,
        KeyId: alias.keyId,
      })),
    },
  };
}

export function sealedBody(output: { ciphertextBlob: Buffer; keyId: string; keyVersionId: string }): WireBody {
  return { CiphertextBlob: output.ciphertextBlob.toString('base64'), KeyId: output.keyId, KeyVersionId: output.keyVersionId };
}

export const emptyBody = (): WireBody => ({});

export function keyVersionBody(version: { keyId: string; keyVersionId: string; creationDate: number }): WireBody {
  return { CreationDate: formatWireTime(version.creationDate), KeyId: version.keyId, KeyVersionId: version.keyVersionId };
}
