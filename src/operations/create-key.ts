import { randomUUID } from 'node:crypto';
import { KmsError } from '../domain/errors.js';
import type { Key, Tag } from '../domain/key.js';
import { DEFAULT_KEY_SPEC, KeyUsage, Origin, ProtectionLevel, isKeySpec, type KeySpec } from '../domain/key-spec.js';
import { KeyState } from '../domain/key-state.js';
import { parseRotationInterval } from '../domain/rotation-interval.js';
import { assertValidTags, MAX_TAGS_PER_KEY } from '../domain/tags.js';
import { authorize } from './authorization.js';
import { defineOperation, type OperationContext } from './operation.js';

export const MAX_DESCRIPTION_LENGTH = 8192;

export interface CreateKeyInput {
  readonly keySpec?: string;
  readonly keyUsage?: string;
  readonly origin?: string;
  readonly protectionLevel?: string;
  readonly description?: string;
  readonly enableAutomaticRotation?: boolean;
  readonly rotationInterval?: string;
  readonly tags?: readonly Tag[];
}

export const createKey = defineOperation('CreateKey', async (context, input: CreateKeyInput): Promise<Key> => {
  authorize(context.caller, 'CreateKey', '*');
  const keySpec = keySpecOf(input.keySpec);
  assertKnown(input.keyUsage, Object.values(KeyUsage), 'KeyUsage');
  assertKnown(input.origin, Object.values(Origin), 'Origin');
  const protectionLevel = protectionLevelOf(input.protectionLevel);
  const origin = input.origin === Origin.External ? Origin.External : Origin.AliyunKms;
  // Rotation makes new material, which Arca cannot do for a key whose material comes from outside.
  if (origin === Origin.External && input.enableAutomaticRotation === true) throw new KmsError('UnsupportedOrigin');
  const description = input.description ?? '';
  if (description.length > MAX_DESCRIPTION_LENGTH) throw new KmsError('InvalidParameter', 'Description');
  const tags = input.tags ?? [];
  assertValidTags(tags, 'Tags');
  if (tags.length > MAX_TAGS_PER_KEY) throw new KmsError('InvalidParameter', 'Tags');
  const rotation = rotationOf(context, input);

  const protector = context.keys.protectorFor(protectionLevel);
  // Material for an EXTERNAL HSM key is unwrapped inside the token (docs/adr/0020): a token
  // that cannot do that cannot hold such a key.
  if (origin === Origin.External && protectionLevel === ProtectionLevel.Hsm && !protector.inDeviceImport) {
    throw new KmsError('UnsupportedOriginAtProtectionLevel', origin, protectionLevel);
  }
  if (!protector.supportsKeySpec(keySpec)) throw new KmsError('UnsupportedKeySpecAtProtectionLevel', keySpec, protectionLevel);
  const now = context.clock.now();
  const keyId = randomUUID();
  const keyVersionId = randomUUID();
  // An EXTERNAL key's one version has no material until ImportKeyMaterial brings it.
  const material = origin === Origin.External ? null : await protector.generate(keySpec, keyVersionId);
  const key: Key = {
    keyId,
    keySpec,
    keyUsage: KeyUsage.EncryptDecrypt,
    origin,
    protectionLevel,
    keyState: origin === Origin.External ? KeyState.PendingImport : KeyState.Enabled,
    description,
    creator: context.keys.scope.accountId,
    creationDate: now,
    deleteDate: null,
    deletionProtection: false,
    deletionProtectionDescription: '',
    automaticRotation: rotation.enabled,
    rotationIntervalSeconds: rotation.intervalSeconds,
    lastRotationDate: now,
    primaryKeyVersionId: keyVersionId,
    materialExpireTime: null,
    tags,
    revision: 1,
  };
  await context.keys.store.createKey(key, { keyId, keyVersionId, creationDate: now, material, materialCommitment: null });
  context.keys.remember(key);
  context.audit.keyId = keyId;
  context.audit.keyVersionId = keyVersionId;
  return key;
});

function keySpecOf(value: string | undefined): KeySpec {
  if (value === undefined) return DEFAULT_KEY_SPEC;
  if (!isKeySpec(value)) throw new KmsError('InvalidParameter', 'KeySpec');
  return value;
}

function protectionLevelOf(value: string | undefined): ProtectionLevel {
  if (value === undefined) return ProtectionLevel.Software;
  assertKnown(value, Object.values(ProtectionLevel), 'ProtectionLevel');
  return value as ProtectionLevel;
}

function assertKnown(value: string | undefined, allowed: readonly string[], parameter: string): void {
  if (value !== undefined && !allowed.includes(value)) throw new KmsError('InvalidParameter', parameter);
}

function rotationOf(context: OperationContext, input: CreateKeyInput): { enabled: boolean; intervalSeconds: number | null } {
  const enabled = input.enableAutomaticRotation ?? false;
  if (input.rotationInterval === undefined) {
    if (enabled) throw new KmsError('MissingParameter', 'RotationInterval');
    return { enabled, intervalSeconds: null };
  }
  return { enabled, intervalSeconds: parseRotationInterval(input.rotationInterval, context.settings.minRotationIntervalSeconds) };
}
